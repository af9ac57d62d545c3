package dev.freshline.invalidator.invalidation;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.common.TopicPartition;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

import dev.freshline.model.Topics;
import dev.freshline.model.Watermark;

/**
 * Per assigned partition, the newest watermark marker the consumer fetched ({@link MarkerSightings})
 * and the last one this invalidator applied ({@link AppliedWatermarks}), so that health can tell a
 * pipeline whose markers stopped coming (nothing to say: the API's fence sees that) from one whose
 * markers come but are not applied. The clock of a waiting marker restarts at every applied marker:
 * a partition working through a backlog advances and is not stalled, only one that stopped is.
 * Revoked partitions are forgotten, and an assigned one starts afresh, so another consumer's progress
 * is never taken for ours. {@code freshline.invalidator.watermarks.stall} is the longest time a
 * fetched marker has been waiting so (0 when none is).
 */
@Component
class WatermarkProgress {

	private final Map<TopicPartition, Progress> partitions = new ConcurrentHashMap<>();

	private final Topics topics;

	private final LongSupplier nanoClock;

	@Autowired
	WatermarkProgress(Topics topics, MeterRegistry meters) {
		this(topics, System::nanoTime);
		Gauge.builder("freshline.invalidator.watermarks.stall", this, (progress) -> progress.longestWait().toMillis())
			.baseUnit("milliseconds")
			.description("Longest time a fetched watermark marker has waited unapplied with nothing of its partition applied")
			.register(meters);
	}

	WatermarkProgress(Topics topics, LongSupplier nanoClock) {
		this.topics = topics;
		this.nanoClock = nanoClock;
	}

	/**
	 * The consumer fetched a marker at {@code offset}; {@code watermark} is null when it cannot be
	 * read. An unreadable marker waits like any other: it is never applied, so if no readable one
	 * follows, the watermark has stopped although markers arrive.
	 */
	void seen(TopicPartition partition, long offset, @Nullable Watermark watermark) {
		if (this.topics.tableOf(partition.topic()).isEmpty()) {
			// no watermark is recorded for it (AppliedWatermarks skips it): nothing to wait for
			return;
		}
		long now = this.nanoClock.getAsLong();
		this.partitions.compute(partition, (key, progress) -> (progress == null ? Progress.NONE : progress)
			.seen(new Marker(offset, watermark), now));
	}

	/** {@code watermark}, the marker at {@code offset}, is recorded in Redis. */
	void applied(TopicPartition partition, long offset, Watermark watermark) {
		long now = this.nanoClock.getAsLong();
		this.partitions.compute(partition, (key, progress) -> (progress == null ? Progress.NONE : progress)
			.applied(new Marker(offset, watermark), now));
	}

	/** Revoked, lost or newly assigned: what was known of them is another consumer's, or stale. */
	void forget(Collection<TopicPartition> partitions) {
		partitions.forEach(this.partitions::remove);
	}

	/** The partitions whose fetched markers have waited longer than {@code threshold}. */
	List<Stall> stalls(Duration threshold) {
		long now = this.nanoClock.getAsLong();
		List<Stall> stalls = new ArrayList<>();
		this.partitions.forEach((partition, progress) -> {
			Duration waited = progress.waited(now);
			if (progress.seen() != null && waited.compareTo(threshold) > 0) {
				stalls.add(new Stall(partition, progress.seen(), progress.applied(), waited));
			}
		});
		return stalls;
	}

	/** How many partitions have shown a marker since they were assigned: 0 while markers are off. */
	int partitionsWithMarkers() {
		return (int) this.partitions.values().stream().filter((progress) -> progress.seen() != null).count();
	}

	private Duration longestWait() {
		long now = this.nanoClock.getAsLong();
		return this.partitions.values().stream().map((progress) -> progress.waited(now)).max(Duration::compareTo)
			.orElse(Duration.ZERO);
	}

	/** A marker at its offset; its watermark is null when it could not be read. */
	record Marker(long offset, @Nullable Watermark watermark) {
	}

	/** A partition whose {@code seen} marker has waited {@code waited}; {@code applied} is null before the first. */
	record Stall(TopicPartition partition, Marker seen, @Nullable Marker applied, Duration waited) {
	}

	/**
	 * One partition: the newest marker fetched, the last applied, and since when a fetched marker
	 * has been waiting ({@code waitingSince}, meaningful only while {@code seen} is beyond
	 * {@code applied}).
	 */
	private record Progress(@Nullable Marker seen, @Nullable Marker applied, long waitingSince) {

		static final Progress NONE = new Progress(null, null, 0);

		Progress seen(Marker marker, long now) {
			if (this.seen != null && this.seen.offset() >= marker.offset()) {
				// the error handler's seek fetches the same markers again: they are not news
				return this;
			}
			if (this.applied != null && this.applied.offset() >= marker.offset()) {
				return new Progress(marker, this.applied, this.waitingSince);
			}
			return new Progress(marker, this.applied, waiting() ? this.waitingSince : now);
		}

		Progress applied(Marker marker, long now) {
			if (this.applied != null && this.applied.offset() >= marker.offset()) {
				// a redelivery after a rebalance applies an older marker again: no progress
				return this;
			}
			// progress: whatever was fetched beyond it waits from now on, not from when it was fetched
			return new Progress(this.seen, marker, now);
		}

		boolean waiting() {
			return this.seen != null && (this.applied == null || this.applied.offset() < this.seen.offset());
		}

		Duration waited(long now) {
			return waiting() ? Duration.ofNanos(now - this.waitingSince) : Duration.ZERO;
		}
	}
}
