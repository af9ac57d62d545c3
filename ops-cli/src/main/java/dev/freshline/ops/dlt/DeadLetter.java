package dev.freshline.ops.dlt;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.regex.Pattern;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.jspecify.annotations.Nullable;

/**
 * One dead-lettered record with what spring-kafka's {@code DeadLetterPublishingRecoverer}
 * recorded about it in headers: the original topic, partition and offset, and the exception.
 */
record DeadLetter(int partition, long offset, Instant time, @Nullable String originalTopic,
		@Nullable Integer originalPartition, @Nullable Long originalOffset, @Nullable String exception,
		@Nullable String message, byte @Nullable [] value, Headers headers) {

	private static final Pattern LISTENER_WRAPPER = Pattern.compile("^Listener method '.*?' threw exception; ");

	static DeadLetter of(ConsumerRecord<byte[], byte[]> record) {
		return new DeadLetter(record.partition(), record.offset(), Instant.ofEpochMilli(record.timestamp()),
				text(record, "kafka_dlt-original-topic"), (Integer) number(record, "kafka_dlt-original-partition"),
				(Long) number(record, "kafka_dlt-original-offset"), exception(record), message(record), record.value(),
				record.headers());
	}

	/** The cause's class when the recoverer recorded one: the listener's wrapper says nothing. */
	private static @Nullable String exception(ConsumerRecord<byte[], byte[]> record) {
		String cause = text(record, "kafka_dlt-exception-cause-fqcn");
		return (cause != null) ? cause : text(record, "kafka_dlt-exception-fqcn");
	}

	/** The message without spring-kafka's "Listener method '...' threw exception; " wrapper. */
	private static @Nullable String message(ConsumerRecord<byte[], byte[]> record) {
		String message = text(record, "kafka_dlt-exception-message");
		return (message != null) ? LISTENER_WRAPPER.matcher(message).replaceFirst("") : null;
	}

	/** {@code topic-partition@offset} of the record before it was dead-lettered, as far as the headers say. */
	String origin() {
		if (this.originalTopic == null) {
			return "(no origin headers)";
		}
		return this.originalTopic + ((this.originalPartition != null) ? "-" + this.originalPartition : "")
				+ ((this.originalOffset != null) ? "@" + this.originalOffset : "");
	}

	String exceptionName() {
		if (this.exception == null) {
			return "-";
		}
		return this.exception.substring(this.exception.lastIndexOf('.') + 1);
	}

	private static @Nullable String text(ConsumerRecord<byte[], byte[]> record, String name) {
		Header header = record.headers().lastHeader(name);
		return (header != null && header.value() != null) ? new String(header.value(), StandardCharsets.UTF_8) : null;
	}

	/** spring-kafka writes the partition as a 4-byte and the offset as an 8-byte big-endian number. */
	private static @Nullable Number number(ConsumerRecord<byte[], byte[]> record, String name) {
		Header header = record.headers().lastHeader(name);
		if (header == null || header.value() == null) {
			return null;
		}
		byte[] value = header.value();
		if (value.length == Integer.BYTES) {
			return ByteBuffer.wrap(value).getInt();
		}
		if (value.length == Long.BYTES) {
			return ByteBuffer.wrap(value).getLong();
		}
		return null;
	}
}
