package dev.freshline.cdc.publish;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.core.KafkaAdmin;

import dev.freshline.cdc.ConnectorProperties;
import dev.freshline.model.RuleSet;
import dev.freshline.model.Topics;
import dev.freshline.support.TopicDeclarations;

/**
 * Declares the topics this service writes to (see {@link TopicDeclarations}): every table's
 * change topic, Debezium's heartbeats, and the signal table's changes.
 */
@Configuration(proxyBeanMethods = false)
class TopicConfiguration {

	@Bean
	KafkaAdmin.NewTopics changeTopics(ConnectorProperties properties, RuleSet rules) {
		Topics topics = new Topics(properties.topicPrefix());
		return new TopicDeclarations(topics, properties.topics()).changeTopics(rules, topics.heartbeat(), topics.signals());
	}
}
