package dev.freshline.invalidator.invalidation;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.stereotype.Component;

import dev.freshline.cache.CacheCommands;
import dev.freshline.model.MalformedChangeEventException;
import dev.freshline.model.Topics;
import dev.freshline.model.Watermark;

/**
 * Records the watermark markers of the change topics in Redis as each partition's applied
 * watermark. The listener applies a partition's records one by one, each returning only once
 * Redis answered, so by the time a marker arrives here every delete before it was answered.
 * A marker invalidates nothing and never reaches the dead-letter topic: one that cannot be read
 * is logged, counted and skipped, which is safe because it carries no invalidation, only a
 * promise that the next marker of its partition also makes; losing it delays the watermark.
 */
@Component
class AppliedWatermarks {

	private static final Logger log = LoggerFactory.getLogger(AppliedWatermarks.class);

	private final CacheCommands commands;

	private final Topics topics;

	private final MeterRegistry meters;

	private final WatermarkProgress progress;

	AppliedWatermarks(CacheCommands commands, Topics topics, MeterRegistry meters, WatermarkProgress progress) {
		this.commands = commands;
		this.topics = topics;
		this.meters = meters;
		this.progress = progress;
	}

	/** Whether {@code record} is a watermark marker rather than a change. */
	static boolean isMarker(ConsumerRecord<?, ?> record) {
		return record.headers().lastHeader(Watermark.HEADER) != null;
	}

	/**
	 * Records the marker's watermark for its partition. A Redis failure propagates, so the error
	 * handler retries the marker with the same back-off as a change, and its offset is not
	 * committed before the watermark is recorded.
	 */
	void apply(ConsumerRecord<?, byte @Nullable []> record) {
		Optional<String> table = this.topics.tableOf(record.topic());
		if (table.isEmpty()) {
			skip(record, "it is not on a change topic");
			return;
		}
		Watermark watermark;
		try {
			byte[] value = record.value();
			if (value == null) {
				skip(record, "it has no value");
				return;
			}
			watermark = Watermark.parse(new String(value, StandardCharsets.UTF_8));
		}
		catch (MalformedChangeEventException ex) {
			skip(record, ex.getMessage());
			return;
		}
		this.commands.recordWatermark(table.get(), record.partition(), watermark);
		this.progress.applied(new TopicPartition(record.topic(), record.partition()), record.offset(), watermark);
		this.meters.counter("freshline.invalidator.watermarks.applied", "table", table.get()).increment();
		log.debug("Applied watermark {} of {}-{}@{}", watermark.encode(), record.topic(), record.partition(),
				record.offset());
	}

	private void skip(ConsumerRecord<?, ?> record, String reason) {
		this.meters.counter("freshline.invalidator.watermarks.malformed", "topic", record.topic()).increment();
		log.warn("Skipping the watermark marker at {}-{}@{}: {}; it invalidates nothing, so skipping it only delays "
				+ "this partition's applied watermark until its next marker", record.topic(), record.partition(),
				record.offset(), reason);
	}
}
