package dev.freshline.invalidator.invalidation;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.NestedExceptionUtils;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.kafka.config.TopicBuilder;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaAdmin;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.config.ContainerCustomizer;
import org.springframework.kafka.listener.ConcurrentMessageListenerContainer;
import org.springframework.kafka.listener.ConsumerRecordRecoverer;
import org.springframework.kafka.listener.ContainerProperties;
import org.springframework.kafka.listener.DeadLetterPublishingRecoverer;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.kafka.support.ProducerListener;
import org.springframework.util.backoff.ExponentialBackOff;

import dev.freshline.cache.CacheCommands;
import dev.freshline.invalidator.InvalidatorProperties;
import dev.freshline.model.CacheKeys;
import dev.freshline.model.InvalidIdException;
import dev.freshline.model.InvalidationRules;
import dev.freshline.model.MalformedChangeEventException;
import dev.freshline.model.RuleSet;
import dev.freshline.model.Topics;
import dev.freshline.model.UnmappableChangeEventException;

/**
 * Wires the key scheme, the topics and, above all, the error handling. spring-kafka's default
 * handler tries a record 10 times and then skips it, which would lose an invalidation: here a
 * transient failure retries with capped exponential back-off and no attempt limit, and only
 * input that can never succeed is flushed-then-dead-lettered.
 */
@Configuration(proxyBeanMethods = false)
class InvalidationConfiguration {

	private static final Logger log = LoggerFactory.getLogger(InvalidationConfiguration.class);

	/** How long one batch of commands may wait for Redis' replies before the record is retried. */
	private static final Duration REDIS_REPLY_TIMEOUT = Duration.ofSeconds(10);

	@Bean
	CacheKeys cacheKeys(InvalidatorProperties properties) {
		return new CacheKeys(properties.keyPrefix());
	}

	@Bean
	RuleSet ruleSet(InvalidatorProperties properties) {
		return RuleSet.load(properties.rules());
	}

	@Bean
	InvalidationRules invalidationRules(RuleSet rules, CacheKeys keys) {
		return new InvalidationRules(rules, keys);
	}

	@Bean
	CacheCommands cacheCommands(RedisConnectionFactory redis, CacheKeys keys, InvalidatorProperties properties) {
		return new CacheCommands(redis, keys, properties.floorTtl(), properties.flushBatchSize(), REDIS_REPLY_TIMEOUT);
	}

	@Bean
	Topics topics(InvalidatorProperties properties) {
		return new Topics(properties.topicPrefix());
	}

	/** Every table's change topic, plus Debezium's heartbeats (a liveness signal, no invalidations). */
	@Bean
	List<String> subscribedTopicNames(Topics topics, RuleSet rules) {
		return Stream.concat(topics.allChanges(rules).stream(), Stream.of(topics.heartbeat())).toList();
	}

	@Bean
	KafkaAdmin.NewTopics invalidatorTopics(Topics topics, RuleSet rules, InvalidatorProperties properties) {
		// Declared here too, with the connector's settings, so the group can subscribe before the
		// connector's first start; declaring an existing topic is a no-op.
		InvalidatorProperties.Topics settings = properties.topics();
		Stream<NewTopic> changes = topics.allChanges(rules)
			.stream()
			.map((name) -> TopicBuilder.name(name).partitions(settings.partitions()).replicas(settings.replicationFactor()).build());
		NewTopic heartbeat = TopicBuilder.name(topics.heartbeat()).partitions(1).replicas(settings.replicationFactor()).build();
		return new KafkaAdmin.NewTopics(Stream.concat(changes, Stream.of(heartbeat)).toArray(NewTopic[]::new));
	}

	@Bean
	KafkaAdmin.NewTopics deadLetterTopic(Topics topics, InvalidatorProperties properties) {
		return new KafkaAdmin.NewTopics(
				TopicBuilder.name(topics.deadLetter()).partitions(1).replicas(properties.topics().replicationFactor()).build());
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

	@Bean
	DefaultErrorHandler errorHandler(KafkaTemplate<String, byte[]> deadLetterTemplate, Topics topics, RuleSet rules,
			NamespaceFlusher flusher, InvalidatorProperties properties, MeterRegistry meters) {
		DeadLetterPublishingRecoverer deadLetters = new DeadLetterPublishingRecoverer(deadLetterTemplate,
				// partition -1: let the producer choose; the DLT has its own partition count
				(record, ex) -> new TopicPartition(topics.deadLetter(), -1));
		ConsumerRecordRecoverer flushThenDeadLetter = (record, ex) -> {
			// Over-invalidate first: whatever this record should have evicted is evicted by the flush.
			topics.tableOf(record.topic())
				.ifPresent((table) -> flusher.flush(rules.namespacesOf(table), "a record on " + record.topic()
						+ " could not be applied (" + rootMessage(ex) + "); it goes to the dead-letter topic"));
			deadLetters.accept(record, ex);
			meters.counter("freshline.invalidator.dead.lettered", "topic", record.topic()).increment();
			log.error("Dead-lettered {}-{}@{} to {}: {}", record.topic(), record.partition(), record.offset(),
					topics.deadLetter(), rootMessage(ex));
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
			log.warn("Invalidation of {}-{}@{} failed (attempt {}): {}",
					record.topic(), record.partition(), record.offset(), attempt, rootMessage(ex));
		});
		return handler;
	}

	/** Every listener container checks its partitions' offsets on assignment (see {@link OffsetGuard}). */
	@Bean
	ContainerCustomizer<Object, Object, ConcurrentMessageListenerContainer<Object, Object>> offsetGuardCustomizer(
			OffsetGuard offsets) {
		return (container) -> {
			container.getContainerProperties().setConsumerRebalanceListener(offsets);
			// spring-kafka would commit the position of partitions without an offset on assignment,
			// before OffsetGuard could see that it has none: OffsetGuard decides and commits instead
			container.getContainerProperties().setAssignmentCommitOption(ContainerProperties.AssignmentCommitOption.NEVER);
		};
	}

	private static String rootMessage(Exception ex) {
		// the listener's exception wraps the one that says what went wrong
		return String.valueOf(NestedExceptionUtils.getMostSpecificCause(ex).getMessage());
	}
}
