package dev.freshline.api.cache;

import java.util.Optional;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Every Postgres read of the read path is counted where it happens, whether or not a miss was counted before it. */
class CacheLoadsTests {

	@Test
	void shouldCountALoadThatNoMissPrecededAsOnFailingOpen() {
		SimpleMeterRegistry meters = new SimpleMeterRegistry();
		ReadMetrics metrics = new ReadMetrics(meters);
		metrics.redisFailed("read", new IllegalStateException("Redis is down"));

		CacheReads.load(new FillHooks() {
		}, metrics, "freshline:patient:{1}", ReadMetrics.LoadCause.FAIL_OPEN, () -> Optional.of(new Loaded(new byte[0], 1)));

		assertThat(meters.counter("freshline.cache.loads", "cause", "fail-open").count()).isEqualTo(1);
		assertThat(meters.counter("freshline.cache.loads", "cause", "miss").count()).isZero();
		assertThat(meters.find(ReadMetrics.REQUESTS).counters()).as("a load counts no request: the cache counts those").isEmpty();
		assertThat(meters.counter("freshline.cache.redis.errors").count()).isEqualTo(1);
	}
}
