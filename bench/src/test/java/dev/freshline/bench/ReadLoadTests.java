package dev.freshline.bench;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ReadLoadTests {

	@Test
	void shouldNotCountAFailedReadAsARead() throws Exception {
		ReadLoad load = new ReadLoad((url) -> {
			TimeUnit.MILLISECONDS.sleep(2);
			return 500;
		}, 2, Duration.ZERO, Duration.ofMillis(300));

		ReadLoad.Result result = load.run("broken", "api-1", (i) -> "/" + i, (i) -> {
		});

		assertThat(result.errors()).isPositive();
		assertThat(result.readsPerS()).isZero();
		assertThat(result.latencyMs().count()).isZero();
	}

	@Test
	void shouldStopTheClockWhileTheClientPreparesARead() throws Exception {
		// 5 ms per read, 20 ms of the client's own work before each (e.g. deleting a key first):
		// two clients read at about 2 / 5 ms, not 2 / 25 ms
		ReadLoad load = new ReadLoad((url) -> {
			TimeUnit.MILLISECONDS.sleep(5);
			return 200;
		}, 2, Duration.ZERO, Duration.ofSeconds(1));

		ReadLoad.Result result = load.run("prepared", "api-1", (i) -> "/" + i, (i) -> {
			try {
				TimeUnit.MILLISECONDS.sleep(20);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		});

		assertThat(result.readsPerS()).isGreaterThan(200);
		assertThat(result.errors()).isZero();
	}
}
