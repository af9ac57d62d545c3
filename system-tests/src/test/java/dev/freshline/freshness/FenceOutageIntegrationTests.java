package dev.freshline.freshness;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.freshline.embedded.KafkaServer;
import dev.freshline.embedded.ServiceEnvironment;
import dev.freshline.model.Watermark;
import dev.freshline.pipeline.PipelineStack;

import static dev.freshline.freshness.FenceProbe.cache;
import static dev.freshline.pipeline.Waits.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bounded staleness when the whole pipeline behind Postgres stops: both invalidators, then the
 * connector, then Kafka. The stack runs on a private broker started for the test, so stopping it
 * leaves every other test's broker alone. With the fence, a row updated by SQL afterwards is
 * served new by both instances (by bypassing the cache) once the last applied watermark is older
 * than max-staleness; without it, both serve the cached old row. How long after the commit the
 * new row came is printed as a figure, not asserted: the bound is a benchmark's to report.
 */
class FenceOutageIntegrationTests {

	private static final Duration MAX_STALENESS = Duration.ofSeconds(2);

	private static final Duration REFRESH = Duration.ofMillis(10);

	private static final long ID = 42;

	private KafkaServer kafka;

	private PipelineStack stack;

	private FenceProbe probe;

	@AfterEach
	void stop() throws Exception {
		try {
			if (this.stack != null) {
				this.stack.close();
			}
		}
		finally {
			if (this.kafka != null) {
				this.kafka.close();
			}
		}
	}

	@Test
	void shouldServeARawSqlUpdateFromBothInstancesWithinMaxStalenessWhenInvalidatorConnectorAndKafkaAreDown()
			throws Exception {
		String path = "/patients/" + ID;
		long committedAtNanos = stopThePipelineAndUpdate(true);
		long[] servedAfterMillis = new long[3];
		await("both instances serve the new row").pollInterval(Duration.ofMillis(5)).untilAsserted(() -> {
			for (int instance = 1; instance <= 2; instance++) {
				if (servedAfterMillis[instance] == 0) {
					HttpResponse<String> read = this.probe.get(instance, path);
					assertThat(read.body()).as("api-%d", instance).contains("\"name\":\"Renamed while nothing invalidates\"");
					assertThat(cache(read)).as("api-%d", instance).isEqualTo("bypass");
					servedAfterMillis[instance] = Math.max(1, (System.nanoTime() - committedAtNanos) / 1_000_000);
				}
			}
		});
		assertThat(this.stack.redis().exists(this.stack.keys().patient(ID))).as("the stale entry is still in Redis")
			.isEqualTo(1);
		System.out.printf("FIGURE pipeline down: new row served by api-1 %d ms, api-2 %d ms after the commit "
				+ "(max-staleness %d ms + refresh %d ms)%n", servedAfterMillis[1], servedAfterMillis[2],
				MAX_STALENESS.toMillis(), REFRESH.toMillis());
	}

	/** The negative control: the same outage and update, an API without the fence. */
	@Test
	void shouldServeTheOldRowFromBothInstancesWithTheFenceOffWhenInvalidatorConnectorAndKafkaAreDown()
			throws Exception {
		long committedAtNanos = stopThePipelineAndUpdate(false);
		long bound = MAX_STALENESS.plus(REFRESH).toNanos();
		await("max-staleness plus one refresh since the commit").until(() -> System.nanoTime() - committedAtNanos > bound);
		for (int instance = 1; instance <= 2; instance++) {
			HttpResponse<String> read = this.probe.get(instance, "/patients/" + ID);
			assertThat(read.body()).as("api-%d", instance).contains("\"name\":\"Patient 42\"");
			assertThat(cache(read)).as("api-%d", instance).isEqualTo("hit");
		}
	}

	/**
	 * Starts a stack on a private broker, fills patient 42 through both instances, stops the
	 * invalidators, the connector and the broker, in that order, and updates the row by SQL.
	 * Returns when the update committed ({@code System.nanoTime()}).
	 */
	private long stopThePipelineAndUpdate(boolean fence) throws Exception {
		this.kafka = KafkaServer.start(Files.createTempDirectory("fence-outage-kafka"));
		this.stack = PipelineStack.start(Map.of(ServiceEnvironment.KAFKA_BOOTSTRAP_SERVERS, this.kafka.bootstrapServers(),
				ServiceEnvironment.CDC_MARKERS, "true", ServiceEnvironment.FRESHLINE_FENCE, fence,
				"FRESHLINE_MAX_STALENESS", MAX_STALENESS.toMillis() + "ms", "FRESHLINE_FENCE_REFRESH", REFRESH.toMillis() + "ms"),
				null);
		this.probe = new FenceProbe(this.stack);
		String path = "/patients/" + ID;
		await("both instances serve patient 42 from the cache").untilAsserted(() -> {
			this.probe.get(1, path);
			assertThat(cache(this.probe.get(1, path))).isEqualTo("hit");
			assertThat(cache(this.probe.get(2, path))).isEqualTo("hit");
		});

		this.stack.stopInvalidators();
		if (fence) {
			// the figure the bound is about: the oldest applied watermark's age when the fence engages
			long[] ageAtBypass = new long[1];
			await("api-1 bypasses once the watermarks are too old").pollInterval(Duration.ofMillis(5)).until(() -> {
				boolean bypass = cache(this.probe.get(1, path)).equals("bypass");
				if (bypass) {
					long now = this.probe.postgresNow();
					ageAtBypass[0] = now - this.probe.applied("patient").values().stream()
						.mapToLong(Watermark::commitMillis).min().orElseThrow();
				}
				return bypass;
			});
			System.out.printf("FIGURE invalidators stopped: api-1 bypassed with the oldest applied watermark %d ms old "
					+ "(max-staleness %d ms + refresh %d ms)%n", ageAtBypass[0], MAX_STALENESS.toMillis(), REFRESH.toMillis());
		}
		this.stack.stopConnector();
		this.kafka.close();
		Map<Integer, Watermark> last = this.probe.applied("patient");
		this.stack.sql("UPDATE patient SET name = 'Renamed while nothing invalidates' WHERE id = " + ID);
		long committedAtNanos = System.nanoTime();
		long now = this.probe.postgresNow();
		System.out.printf("FIGURE pipeline down (fence %s): the applied watermarks of patient were %s ms old at the "
				+ "commit%n", fence ? "on" : "off", last.values().stream().map((watermark) -> now - watermark.commitMillis()).toList());
		return committedAtNanos;
	}
}
