package dev.freshline.invalidator.invalidation;

import java.util.concurrent.atomic.AtomicLong;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.stereotype.Component;

/**
 * Debezium's heartbeats, seen at the end of the pipeline: they invalidate nothing, but their age
 * says how far behind the whole chain (Postgres, connector, Kafka, this consumer) is while the
 * captured tables are quiet. {@code freshline.invalidator.heartbeat.age} is NaN before the first.
 */
@Component
class PipelineHeartbeat {

	private final AtomicLong lastBeatMillis = new AtomicLong();

	PipelineHeartbeat(MeterRegistry meters) {
		Gauge.builder("freshline.invalidator.heartbeat.age", this, PipelineHeartbeat::ageMillis)
			.baseUnit("milliseconds")
			.description("Time since the last Debezium heartbeat reached the invalidator")
			.register(meters);
	}

	void beat(long timestampMillis) {
		this.lastBeatMillis.accumulateAndGet(timestampMillis, Math::max);
	}

	long lastBeatMillis() {
		return this.lastBeatMillis.get();
	}

	private double ageMillis() {
		long last = this.lastBeatMillis.get();
		return (last == 0) ? Double.NaN : System.currentTimeMillis() - last;
	}
}
