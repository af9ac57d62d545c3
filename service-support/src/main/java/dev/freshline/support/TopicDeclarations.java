package dev.freshline.support;

import java.util.List;
import java.util.stream.Stream;

import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;

import org.springframework.kafka.config.TopicBuilder;
import org.springframework.kafka.core.KafkaAdmin;

import dev.freshline.model.RuleSet;
import dev.freshline.model.Topics;

/**
 * Declares Freshline's topics, so brokers can keep auto-creation off and a typo cannot silently
 * open a new topic. Both services declare the change topics with the same settings (the
 * invalidator so its group can subscribe before the connector's first start; declaring an
 * existing topic is a no-op, so settings changed later must be applied to the broker by hand).
 * The record key is the row's primary key, so one row's changes stay in order on one partition.
 */
public record TopicDeclarations(Topics topics, TopicSettings settings) {

	/** One change topic per table with a rule, plus the single-partition topics named. */
	public KafkaAdmin.NewTopics changeTopics(RuleSet rules, String... singlePartitionTopics) {
		return new KafkaAdmin.NewTopics(newTopics(rules, singlePartitionTopics).toArray(NewTopic[]::new));
	}

	/** Heartbeats, signals and dead letters: order across records does not matter there. */
	public KafkaAdmin.NewTopics singlePartitionTopics(String... names) {
		return new KafkaAdmin.NewTopics(Stream.of(names).map(this::singlePartition).toArray(NewTopic[]::new));
	}

	List<NewTopic> newTopics(RuleSet rules, String... singlePartitionTopics) {
		Stream<NewTopic> changes = this.topics.allChanges(rules)
			.stream()
			.map((name) -> replicated(TopicBuilder.name(name).partitions(this.settings.partitions())
				// never compacted, whatever the broker's default: compaction would drop a row's older
				// changes, and the invalidator's offset guard takes every gap in offsets for records
				// retention deleted before they were applied, flushing their namespaces
				.config(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE)));
		Stream<NewTopic> singles = Stream.of(singlePartitionTopics).map(this::singlePartition);
		return Stream.concat(changes, singles).toList();
	}

	NewTopic singlePartition(String name) {
		return replicated(TopicBuilder.name(name).partitions(1));
	}

	private NewTopic replicated(TopicBuilder topic) {
		topic.replicas(this.settings.replicationFactor());
		if (this.settings.minInsyncReplicas() != null) {
			topic.config(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, String.valueOf(this.settings.minInsyncReplicas()));
		}
		return topic.build();
	}
}
