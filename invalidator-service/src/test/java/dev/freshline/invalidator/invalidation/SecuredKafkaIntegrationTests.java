package dev.freshline.invalidator.invalidation;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.stream.Stream;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import dev.freshline.embedded.KafkaGrants;
import dev.freshline.embedded.KafkaServer;
import dev.freshline.embedded.KafkaUser;
import dev.freshline.embedded.KafkaUsers;
import dev.freshline.embedded.RedisServer;
import dev.freshline.embedded.ServiceEnvironment;
import dev.freshline.embedded.SharedServers;
import dev.freshline.invalidator.InvalidatorApplication;
import dev.freshline.model.CacheKeys;
import dev.freshline.model.RuleSet;
import dev.freshline.model.Topics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The invalidator as it runs against a broker with SASL and ACLs, logged in as its own principal
 * through the environment the launcher gives it: it declares its topics, consumes in its group,
 * evicts, and dead-letters; writing a change topic is refused to that principal.
 */
class SecuredKafkaIntegrationTests {

	private static final KafkaUser INVALIDATOR = new KafkaUser("freshline-invalidator", "invalidator-password-1");

	private static final KafkaUser CONNECTOR = new KafkaUser("freshline-connector", "connector-password-1");

	@TempDir
	Path temporary;

	private final String name = SharedServers.uniqueName("sec");

	private final Topics topics = new Topics(this.name);

	private final CacheKeys keys = new CacheKeys(this.name);

	private final RedisServer redis = SharedServers.get().redis();

	private KafkaServer kafka;

	private ConfigurableApplicationContext invalidator;

	@AfterEach
	void stop() {
		if (this.invalidator != null) {
			this.invalidator.close();
		}
		if (this.kafka != null) {
			this.kafka.close();
		}
	}

	@Test
	void shouldInvalidateAndDeadLetterUnderItsOwnPrincipalAndNotWriteChanges() throws Exception {
		String group = this.name + "-invalidator";
		List<String> changes = this.topics.allChanges(RuleSet.loadDefault());
		List<String> read = Stream.concat(changes.stream(), Stream.of(this.topics.heartbeat())).toList();
		List<AclBinding> acls = new ArrayList<>(
				KafkaGrants.invalidator(INVALIDATOR.user(), read, this.topics.deadLetter(), group));
		acls.addAll(KafkaGrants.connector(CONNECTOR.user(), read));
		this.kafka = KafkaServer.startSecured(this.temporary.resolve("kafka"),
				new KafkaUsers(new KafkaUser("freshline-broker", "broker-password-1"), List.of(INVALIDATOR, CONNECTOR), acls));
		this.invalidator = new SpringApplicationBuilder(InvalidatorApplication.class).properties(new ServiceEnvironment()
			.put("spring.config.name", InvalidatorApplication.CONFIG_NAME)
			.kafka(this.kafka.bootstrapServers(), INVALIDATOR)
			.redis(this.redis)
			.put(ServiceEnvironment.FRESHLINE_TOPIC_PREFIX, this.name)
			.put(ServiceEnvironment.FRESHLINE_KEY_PREFIX, this.name)
			.put(ServiceEnvironment.INVALIDATOR_GROUP_ID, group)
			.freePorts()
			.put("INVALIDATOR_SCHEMA_CHECK", false)
			.toMap()).run();
		// its own declarations created the topics; its group committed where it starts
		await().atMost(Duration.ofSeconds(60)).until(() -> committedPartitions(group) == 7);

		RedisClient client = RedisClient.create(this.redis.uri());
		try (StatefulRedisConnection<String, String> connection = client.connect();
				KafkaProducer<String, String> connector = producer(CONNECTOR)) {
			String cached = this.keys.patient(5);
			connection.sync().set(cached, "cached");
			String patients = this.topics.changes("patient");
			connector.send(new ProducerRecord<>(patients, "{\"id\":5}", InvalidatorStack.patientChange("u", 5L, 5L))).get();
			await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(connection.sync().exists(cached)).isZero());

			connector.send(new ProducerRecord<>(patients, "{\"id\":6}", "{not json")).get();
			await().atMost(Duration.ofSeconds(30)).until(() -> endOffset(this.topics.deadLetter()) == 1);
		}
		finally {
			client.shutdown();
		}

		try (KafkaProducer<String, String> forged = producer(INVALIDATOR)) {
			assertThatThrownBy(() -> forged.send(new ProducerRecord<>(this.topics.changes("patient"), "{\"id\":7}",
					InvalidatorStack.patientChange("d", 7L, null))).get())
				.isInstanceOf(ExecutionException.class)
				.hasCauseInstanceOf(TopicAuthorizationException.class);
		}
	}

	private int committedPartitions(String group) throws Exception {
		try (Admin admin = Admin.create(this.kafka.adminProperties())) {
			return admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get().size();
		}
	}

	private long endOffset(String topic) throws Exception {
		try (Admin admin = Admin.create(this.kafka.adminProperties())) {
			TopicPartition partition = new TopicPartition(topic, 0);
			return admin.listOffsets(Map.of(partition, org.apache.kafka.clients.admin.OffsetSpec.latest()))
				.partitionResult(partition)
				.get()
				.offset();
		}
	}

	private KafkaProducer<String, String> producer(KafkaUser user) {
		Map<String, Object> properties = new HashMap<>(this.kafka.clientProperties(user));
		properties.put(ProducerConfig.ACKS_CONFIG, "all");
		properties.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
		properties.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 10_000);
		properties.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
		return new KafkaProducer<>(properties, new StringSerializer(), new StringSerializer());
	}
}
