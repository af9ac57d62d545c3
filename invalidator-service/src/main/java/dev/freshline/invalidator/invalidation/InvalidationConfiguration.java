package dev.freshline.invalidator.invalidation;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.TopicPartition;

import org.springframework.boot.kafka.autoconfigure.DefaultKafkaConsumerFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.kafka.config.ContainerCustomizer;
import org.springframework.kafka.core.KafkaAdmin;
import org.springframework.kafka.listener.ConcurrentMessageListenerContainer;
import org.springframework.kafka.listener.ConsumerAwareRebalanceListener;
import org.springframework.kafka.listener.ContainerProperties;

import dev.freshline.cache.CacheCommands;
import dev.freshline.invalidator.InvalidatorProperties;
import dev.freshline.model.CacheKeys;
import dev.freshline.model.InvalidationRules;
import dev.freshline.model.RuleSet;
import dev.freshline.model.Topics;
import dev.freshline.support.TopicDeclarations;

/**
 * Wires the key scheme, the rules, the cache commands, the topics the group reads and how its
 * containers treat offsets on assignment. The error handling has its own class
 * ({@link ErrorHandlingConfiguration}).
 */
@Configuration(proxyBeanMethods = false)
class InvalidationConfiguration {

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
	TopicDeclarations topicDeclarations(Topics topics, InvalidatorProperties properties) {
		return new TopicDeclarations(topics, properties.topics());
	}

	@Bean
	KafkaAdmin.NewTopics invalidatorTopics(TopicDeclarations declarations, Topics topics, RuleSet rules) {
		// Declared here too, with the connector's settings, so the group can subscribe before the
		// connector's first start; declaring an existing topic is a no-op.
		return declarations.changeTopics(rules, topics.heartbeat());
	}

	/**
	 * Every batch the consumers fetch shows its markers to {@link WatermarkProgress} (see
	 * {@link MarkerSightings}); with an instance id, the consumers are static members of the group
	 * (spring-kafka suffixes the id with each consumer's index).
	 */
	@Bean
	DefaultKafkaConsumerFactoryCustomizer consumerFactoryCustomizer(WatermarkProgress progress,
			InvalidatorProperties properties) {
		Map<String, Object> configs = new HashMap<>(Map.of(ConsumerConfig.INTERCEPTOR_CLASSES_CONFIG,
				MarkerSightings.class.getName(), MarkerSightings.PROGRESS, progress));
		if (properties.instanceId() != null) {
			configs.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, properties.instanceId());
		}
		return (factory) -> factory.updateConfigs(configs);
	}

	/**
	 * Every listener container checks its partitions' offsets on assignment (see {@link OffsetGuard}),
	 * and {@link WatermarkProgress} forgets partitions that come and go.
	 */
	@Bean
	ContainerCustomizer<Object, Object, ConcurrentMessageListenerContainer<Object, Object>> offsetGuardCustomizer(
			OffsetGuard offsets, WatermarkProgress progress) {
		return (container) -> {
			container.getContainerProperties().setConsumerRebalanceListener(new Rebalances(offsets, progress));
			// spring-kafka would commit the position of partitions without an offset on assignment,
			// before OffsetGuard could see that it has none: OffsetGuard decides and commits instead
			container.getContainerProperties().setAssignmentCommitOption(ContainerProperties.AssignmentCommitOption.NEVER);
			// every commit names the topics it was made for, so a recreated topic is told by its id
			container.getContainerProperties().setOffsetAndMetadataProvider(offsets);
		};
	}

	/**
	 * A container takes one rebalance listener: the offset guard's, and then the watermark
	 * progress forgetting what it knew of the partitions concerned.
	 */
	private record Rebalances(OffsetGuard offsets, WatermarkProgress progress) implements ConsumerAwareRebalanceListener {

		@Override
		public void onPartitionsAssigned(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
			this.offsets.onPartitionsAssigned(consumer, partitions);
			this.progress.forget(partitions);
		}

		@Override
		public void onPartitionsRevokedBeforeCommit(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
			this.offsets.onPartitionsRevokedBeforeCommit(consumer, partitions);
		}

		@Override
		public void onPartitionsRevokedAfterCommit(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
			this.offsets.onPartitionsRevokedAfterCommit(consumer, partitions);
			this.progress.forget(partitions);
		}

		@Override
		public void onPartitionsLost(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
			this.offsets.onPartitionsLost(consumer, partitions);
			this.progress.forget(partitions);
		}
	}
}
