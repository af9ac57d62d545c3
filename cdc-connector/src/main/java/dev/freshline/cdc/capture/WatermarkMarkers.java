package dev.freshline.cdc.capture;

import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

import io.debezium.engine.ChangeEvent;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.freshline.cdc.ConnectorProperties;
import dev.freshline.model.RuleSet;
import dev.freshline.model.Topics;
import dev.freshline.model.Watermark;

/**
 * Decides when a watermark marker goes out: after a batch was acknowledged by Kafka, when the
 * commit it proves ({@link CommitTracker}) is beyond the last marker sent, and no sooner than
 * {@code marker-interval} after it. While the captured tables are quiet, each heartbeat (whose
 * write travels through pgoutput) proves a new commit, so markers follow the heartbeats. Markers
 * go to every partition of every change topic of the rules, never to the heartbeat or signal
 * topic, and are never handed to Debezium's committer: the offsets advance exactly as before.
 */
final class WatermarkMarkers {

	private static final Logger log = LoggerFactory.getLogger(WatermarkMarkers.class);

	private final boolean enabled;

	private final long intervalNanos;

	private final List<String> topics;

	private final MarkerPublisher publisher;

	private final LongSupplier nanoTime;

	private final RecordOffsets offsets;

	private CommitTracker tracker = new CommitTracker();

	/** The LSN of the last marker sent by this process: markers never go backwards, even across engines. */
	private long sentLsn = -1;

	private long sentAtNanos;

	WatermarkMarkers(ConnectorProperties properties, RuleSet rules, MarkerPublisher publisher, RecordOffsets offsets) {
		this(properties, rules, publisher, offsets, System::nanoTime);
	}

	WatermarkMarkers(ConnectorProperties properties, RuleSet rules, MarkerPublisher publisher, RecordOffsets offsets,
			LongSupplier nanoTime) {
		this.offsets = offsets;
		this.enabled = properties.markers().enabled();
		this.intervalNanos = properties.markers().interval().toNanos();
		this.topics = new Topics(properties.topicPrefix()).allChanges(rules);
		this.publisher = publisher;
		this.nanoTime = nanoTime;
	}

	/** A new engine re-reads from its stored offsets: what the last one learned must not pair with them. */
	synchronized void engineStarted() {
		this.tracker = new CommitTracker();
	}

	/**
	 * Called on the engine's thread once Kafka acknowledged every record of {@code records} (and
	 * of every batch before it). A marker that cannot be sent is retried like any record; a stop
	 * while it retries abandons it: a lost marker only delays the watermark.
	 */
	synchronized void afterBatch(List<ChangeEvent<byte[], byte[]>> records, BooleanSupplier stopping)
			throws InterruptedException {
		if (!this.enabled) {
			return; // off: reading every record's offsets would only cost CPU on the publish path
		}
		@Nullable Watermark covered = this.tracker.observe(records, this.offsets);
		if (covered == null || covered.lsn() <= this.sentLsn) {
			return;
		}
		long now = this.nanoTime.getAsLong();
		if (this.sentLsn >= 0 && now - this.sentAtNanos < this.intervalNanos) {
			return; // the next batch (at the latest the next heartbeat's) sends a newer one
		}
		try {
			this.publisher.publishMarkers(covered, this.topics, stopping);
		}
		catch (InterruptedException ex) {
			if (!stopping.getAsBoolean()) {
				throw ex; // a real interrupt of the engine thread
			}
			log.info("Connector stopping: marker {} abandoned (the next start sends a newer one)",
					Watermark.formatLsn(covered.lsn()));
			return;
		}
		this.sentLsn = covered.lsn();
		this.sentAtNanos = now;
	}
}
