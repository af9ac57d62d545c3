package dev.freshline.invalidator.invalidation;

import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.core.NestedExceptionUtils;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.listener.DeadLetterPublishingRecoverer;
import org.springframework.stereotype.Component;

import dev.freshline.model.Topics;

/**
 * Publishes a record that can never be applied to the dead-letter topic, raw, through its own
 * payload-free producer, and returns only once Kafka acknowledged it; a failure propagates so the
 * record is retried, never committed unpublished. Callers flush the record's namespaces first
 * (over-invalidate, then report), so a dead letter never stands for a missing invalidation.
 */
@Component
class DeadLetters {

	private static final Logger log = LoggerFactory.getLogger(DeadLetters.class);

	/** Records parked on the dead-letter topic, per change topic they came from. */
	static final String DEAD_LETTERED = "freshline.dead.lettered";

	private final DeadLetterPublishingRecoverer publisher;

	private final Topics topics;

	private final MeterRegistry meters;

	DeadLetters(KafkaTemplate<String, byte[]> deadLetterTemplate, Topics topics, MeterRegistry meters) {
		// partition -1: let the producer choose; the DLT has its own partition count
		this.publisher = new DeadLetterPublishingRecoverer(deadLetterTemplate,
				(record, ex) -> new TopicPartition(topics.deadLetter(), -1));
		this.topics = topics;
		this.meters = meters;
	}

	/** Publishes {@code record}, counts it and says why, once Kafka acknowledged it. */
	void send(ConsumerRecord<?, ?> record, Exception failure) {
		this.publisher.accept(record, failure);
		this.meters.counter(DEAD_LETTERED, "topic", record.topic()).increment();
		log.error("Dead-lettered {}-{}@{} to {}: {}", record.topic(), record.partition(), record.offset(),
				this.topics.deadLetter(), rootMessage(failure));
	}

	static String rootMessage(Exception ex) {
		// the listener's exception wraps the one that says what went wrong
		return String.valueOf(NestedExceptionUtils.getMostSpecificCause(ex).getMessage());
	}
}
