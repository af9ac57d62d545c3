package dev.freshline.support;

import java.util.List;
import java.util.stream.Stream;

import org.apache.kafka.clients.admin.NewTopic;

import org.springframework.kafka.config.TopicBuilder;
import org.springframework.kafka.core.KafkaAdmin;

import dev.freshline.model.RuleSet;
import dev.freshline.model.Topics;

/**
 * Declares Freshline's topics, so brokers can keep auto-creation off and a typo cannot silently
 * open a new topic. Both services declare the change topics with the same settings (the
 * invalidator so its group can subscribe before the connector's first start; declaring an
 * existing topic is a no-op). The record key is the row's primary key, so one row's changes
 * stay in order on one partition.
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
			.map((name) -> TopicBuilder.name(name)
				.partitions(this.settings.partitions())
				.replicas(this.settings.replicationFactor())
				.build());
		Stream<NewTopic> singles = Stream.of(singlePartitionTopics).map(this::singlePartition);
		return Stream.concat(changes, singles).toList();
	}

	NewTopic singlePartition(String name) {
		return TopicBuilder.name(name).partitions(1).replicas(this.settings.replicationFactor()).build();
	}
}
