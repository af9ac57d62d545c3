package dev.freshline.invalidator.invalidation;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.ListIterator;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerInterceptor;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.jspecify.annotations.Nullable;

import dev.freshline.model.MalformedChangeEventException;
import dev.freshline.model.Watermark;

/**
 * Tells {@link WatermarkProgress} the newest marker of each partition in every batch the consumer
 * fetched. It sits in the Kafka consumer rather than in front of the listener because a marker
 * behind a record that keeps failing never reaches the listener: the error handler seeks back to
 * the failing record, and each poll after that fetches it again with the records behind it
 * (markers included), delivering none of them. Kafka creates the interceptor; its
 * {@link WatermarkProgress} comes in through the consumer's configuration ({@link #PROGRESS}),
 * the way spring-kafka documents for wiring beans into interceptors. Public only because Kafka
 * instantiates it reflectively.
 */
public class MarkerSightings implements ConsumerInterceptor<Object, Object> {

	/** The consumer property that carries the {@link WatermarkProgress} bean. */
	static final String PROGRESS = "freshline.watermark-progress";

	private @Nullable WatermarkProgress progress;

	public MarkerSightings() {
	}

	@Override
	public void configure(Map<String, ?> configs) {
		Object progress = configs.get(PROGRESS);
		if (!(progress instanceof WatermarkProgress watermarkProgress)) {
			throw new IllegalStateException(PROGRESS + " must be the WatermarkProgress bean, found " + progress);
		}
		this.progress = watermarkProgress;
	}

	@Override
	public ConsumerRecords<Object, Object> onConsume(ConsumerRecords<Object, Object> records) {
		WatermarkProgress progress = this.progress;
		if (progress == null) {
			return records;
		}
		for (TopicPartition partition : records.partitions()) {
			List<ConsumerRecord<Object, Object>> fetched = records.records(partition);
			// the newest marker is the last one: read backwards and stop there
			for (ListIterator<ConsumerRecord<Object, Object>> it = fetched.listIterator(fetched.size()); it.hasPrevious();) {
				ConsumerRecord<Object, Object> record = it.previous();
				if (AppliedWatermarks.isMarker(record)) {
					progress.seen(partition, record.offset(), watermarkOf(record));
					break;
				}
			}
		}
		return records;
	}

	/** The marker's watermark, or null when it cannot be read (AppliedWatermarks counts and logs it). */
	private static @Nullable Watermark watermarkOf(ConsumerRecord<Object, Object> record) {
		if (!(record.value() instanceof byte[] value)) {
			return null;
		}
		try {
			return Watermark.parse(new String(value, StandardCharsets.UTF_8));
		}
		catch (MalformedChangeEventException ex) {
			return null;
		}
	}

	@Override
	public void onCommit(Map<TopicPartition, OffsetAndMetadata> offsets) {
	}

	@Override
	public void close() {
	}
}
