package dev.freshline.invalidator.invalidation;

import java.util.Map;

import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaAdmin;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.listener.ConsumerRecordRecoverer;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.kafka.support.ProducerListener;
import org.springframework.util.backoff.ExponentialBackOff;

import dev.freshline.cache.FlushCause;
import dev.freshline.invalidator.InvalidatorProperties;
import dev.freshline.model.InvalidIdException;
import dev.freshline.model.MalformedChangeEventException;
import dev.freshline.model.RuleSet;
import dev.freshline.model.Topics;
import dev.freshline.model.UnmappableChangeEventException;
import dev.freshline.support.TopicDeclarations;

/**
 * The invalidator's error handling. spring-kafka's default handler tries a record 10 times and
 * then skips it, which would lose an invalidation: here a transient failure retries with capped
 * exponential back-off and no attempt limit, and only input that can never succeed is
 * flushed-then-dead-lettered, to its own topic through its own payload-free producer
 * ({@link DeadLetters}).
 */
@Configuration(proxyBeanMethods = false)
class ErrorHandlingConfiguration {

	private static final Logger log = LoggerFactory.getLogger(ErrorHandlingConfiguration.class);

	@Bean
	KafkaAdmin.NewTopics deadLetterTopic(TopicDeclarations declarations, Topics topics) {
		return declarations.singlePartitionTopics(topics.deadLetter());
	}

	@Bean
	KafkaTemplate<String, byte[]> deadLetterTemplate(KafkaProperties kafka) {
		Map<String, Object> config = kafka.buildProducerProperties();
		config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
		config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
		config.put(ProducerConfig.ACKS_CONFIG, "all");
		config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
		KafkaTemplate<String, byte[]> template = new KafkaTemplate<>(new DefaultKafkaProducerFactory<>(config));
		// the default LoggingProducerListener would log a failed record's payload; the recoverer
		// reports failures itself, without the payload
		template.setProducerListener(new ProducerListener<>() {
		});
		return template;
	}

	/**
	 * The listener takes a whole poll ({@link ChangeEventListener}) and names its first record in
	 * any failure, so this handler seeks every partition of the poll back to its start and backs
	 * off before the poll is fetched again; unreadable records never reach it, the listener flushes
	 * and dead-letters them in their place. The recoverer stays as a safety net: should input that
	 * can never succeed escape the listener anyway, the record it names is flushed-then-dead-lettered
	 * rather than retried forever, and only it: the rest of the poll is fetched again.
	 */
	@Bean
	DefaultErrorHandler errorHandler(DeadLetters deadLetters, Topics topics, RuleSet rules, NamespaceFlusher flusher,
			OffsetGuard offsets, InvalidatorProperties properties, MeterRegistry meters) {
		ConsumerRecordRecoverer flushThenDeadLetter = (record, ex) -> {
			// Over-invalidate first: whatever this record should have evicted is evicted by the flush.
			topics.tableOf(record.topic())
				.ifPresent((table) -> flusher.flush(rules.namespacesOf(table), FlushCause.UNREADABLE, "a record on " + record.topic()
						+ " could not be applied (" + DeadLetters.rootMessage(ex) + "); it goes to the dead-letter topic"));
			deadLetters.send(record, ex);
			// flushed and dead-lettered is as durable as applied: the next record is no gap
			offsets.applied(record);
		};
		ExponentialBackOff backOff = new ExponentialBackOff(properties.retry().initialInterval().toMillis(), 2.0);
		backOff.setMaxInterval(properties.retry().maxInterval().toMillis());
		// no maxElapsedTime and no maxAttempts: a transient failure is retried until it succeeds
		DefaultErrorHandler handler = new DefaultErrorHandler(flushThenDeadLetter, backOff);
		// input that can never succeed: an id that is not a canonical key (InvalidIdException) included
		handler.addNotRetryableExceptions(MalformedChangeEventException.class, UnmappableChangeEventException.class,
				InvalidIdException.class);
		handler.setRetryListeners((record, ex, attempt) -> {
			meters.counter("freshline.invalidator.failures").increment();
			log.warn("Applying a poll failed (attempt {} from {}-{}@{} on), fetching it again after back-off: {}", attempt,
					record.topic(), record.partition(), record.offset(), DeadLetters.rootMessage(ex));
		});
		return handler;
	}
}
