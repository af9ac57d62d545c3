package dev.freshline.cdc.capture;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

import dev.freshline.cdc.ConnectorProperties;

/**
 * Health from progress, not from "engine running": Debezium retries some permanent failures
 * (a wrong password) forever without stopping, so the connector is healthy only while batches
 * (heartbeats included) keep arriving and being acknowledged by Kafka.
 */
@Component
public class CaptureProgress implements HealthIndicator, MeterBinder {

	private final Clock clock;

	private final Duration stallAfter;

	private volatile @Nullable Instant lastBatch;

	private volatile long published;

	private volatile @Nullable String lastError;

	private final java.util.concurrent.atomic.AtomicLong sendFailures = new java.util.concurrent.atomic.AtomicLong();

	@Autowired
	CaptureProgress(ConnectorProperties properties) {
		this(properties, Clock.systemUTC());
	}

	public CaptureProgress(ConnectorProperties properties, Clock clock) {
		this.clock = clock;
		// Three missed heartbeats (and never less than 10 s) before we call the stream stalled.
		this.stallAfter = Duration.ofMillis(Math.max(10_000, 3 * properties.capture().heartbeatInterval().toMillis()));
	}

	public void batchPublished(int records) {
		this.published += records; // only the engine thread writes
		this.lastBatch = this.clock.instant();
		this.lastError = null;
	}

	public void sendFailed(Throwable cause) {
		this.sendFailures.incrementAndGet();
		this.lastError = "Kafka send failed: " + cause.getClass().getSimpleName();
	}

	public long sendFailures() {
		return this.sendFailures.get();
	}

	void engineStarted() {
		this.lastError = null;
	}

	void engineStopped(@Nullable String error) {
		this.lastError = error;
	}

	public long published() {
		return this.published;
	}

	/** The records the engine handed over and Kafka acknowledged: its rate is the connector's throughput. */
	@Override
	public void bindTo(MeterRegistry registry) {
		FunctionCounter.builder("freshline.events.published", this, CaptureProgress::published)
			.description("Change records (heartbeats included) published to Kafka and acknowledged")
			.register(registry);
	}

	@Override
	public Health health() {
		Instant last = this.lastBatch;
		Health.Builder health = (last != null && last.plus(this.stallAfter).isAfter(this.clock.instant()))
				? Health.up() : Health.down();
		health.withDetail("published", this.published).withDetail("sendFailures", this.sendFailures.get());
		if (last != null) {
			health.withDetail("lastBatch", last.toString());
		}
		String error = this.lastError;
		if (error != null) {
			health.withDetail("lastError", error);
		}
		return health.build();
	}
}
