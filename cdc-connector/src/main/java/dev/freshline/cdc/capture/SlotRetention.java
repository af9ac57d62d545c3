package dev.freshline.cdc.capture;

import java.sql.SQLException;
import java.time.Duration;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.stereotype.Component;

import dev.freshline.cdc.ConnectorProperties;

/**
 * How much WAL the replication slot holds back ({@code freshline.slot.retained.wal}, bytes): a
 * slot that stops advancing fills the database's disk, or is invalidated by
 * {@code max_slot_wal_keep_size} and takes the change stream with it. Read from
 * {@code pg_replication_slots} when the gauge is read, at most once per {@link #REFRESH}, so that
 * frequent scrapes do not each open a connection; NaN while Postgres cannot answer.
 */
@Component
class SlotRetention {

	private static final Logger log = LoggerFactory.getLogger(SlotRetention.class);

	/** Retained WAL moves with heartbeats and offset flushes (every second); fresher reads add nothing. */
	static final Duration REFRESH = Duration.ofSeconds(1);

	private final ReplicationSlot slot;

	private double retained = Double.NaN;

	private long readAtNanos;

	private boolean read;

	SlotRetention(ConnectorProperties properties, MeterRegistry meters) {
		this.slot = new ReplicationSlot(properties);
		Gauge.builder("freshline.slot.retained.wal", this, SlotRetention::retainedBytes)
			.baseUnit("bytes")
			.description("WAL the connector's replication slot keeps from being recycled")
			.tag("slot", this.slot.name())
			.register(meters);
	}

	/** The bytes between the server's current LSN and the slot's restart LSN; NaN if unknown. */
	synchronized double retainedBytes() {
		long now = System.nanoTime();
		if (!this.read || now - this.readAtNanos >= REFRESH.toNanos()) {
			this.retained = readNow();
			this.readAtNanos = now;
			this.read = true;
		}
		return this.retained;
	}

	private double readNow() {
		try {
			// no slot yet (before the first start) is unknown, not zero
			return this.slot.read().map(ReplicationSlot.State::retainedBytes).orElse(Double.NaN);
		}
		catch (SQLException ex) {
			log.debug("Cannot read the retained WAL of slot {}: {}", this.slot.name(), ex.getMessage());
			return Double.NaN;
		}
	}
}
