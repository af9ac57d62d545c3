package dev.freshline.cdc.publish;

import java.util.stream.Stream;

import org.apache.kafka.clients.admin.NewTopic;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.config.TopicBuilder;
import org.springframework.kafka.core.KafkaAdmin;

import dev.freshline.cdc.ConnectorProperties;
import dev.freshline.model.RuleSet;
import dev.freshline.model.Topics;

/**
 * Declares the topics this service writes to, so brokers can keep auto-creation off and a typo
 * cannot silently open a new topic. The record key is the row's primary key, so one row's
 * changes stay in order on one partition.
 */
@Configuration(proxyBeanMethods = false)
class TopicDeclarations {

	@Bean
	KafkaAdmin.NewTopics changeTopics(ConnectorProperties properties, RuleSet rules) {
		Topics topics = new Topics(properties.topicPrefix());
		ConnectorProperties.Topics settings = properties.topics();
		Stream<NewTopic> changes = topics.allChanges(rules)
			.stream()
			.map((name) -> TopicBuilder.name(name)
				.partitions(settings.partitions())
				.replicas(settings.replicationFactor())
				.build());
		NewTopic heartbeat = TopicBuilder.name(topics.heartbeat()).partitions(1).replicas(settings.replicationFactor()).build();
		NewTopic signals = TopicBuilder.name(topics.signals()).partitions(1).replicas(settings.replicationFactor()).build();
		return new KafkaAdmin.NewTopics(Stream.concat(changes, Stream.of(heartbeat, signals)).toArray(NewTopic[]::new));
	}
}
