package dev.freshline.embedded;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;

import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * A secured broker with Freshline's grants: each component's own operations work under its
 * principal, and what another component does is refused. Plain clients, not the services: the
 * launcher's LocalStackIntegrationTests runs the real services under these principals.
 */
class KafkaSecurityIntegrationTests {

	private static final String CHANGES = "freshline.public.patient";

	private static final String SIGNALS = "freshline.public.debezium_signal";

	private static final String HEARTBEAT = "__debezium-heartbeat.freshline";

	private static final String DEAD_LETTER = "freshline.invalidator.dlt";

	private static final String GROUP = "freshline-invalidator";

	private static final KafkaUser CONNECTOR = new KafkaUser("freshline-cdc", "connector-secret-1");

	private static final KafkaUser INVALIDATOR = new KafkaUser("freshline-invalidator", "invalidator-secret-1");

	private static final KafkaUser OPS = new KafkaUser("freshline-ops", "ops-secret-1");

	@TempDir
	static Path temporary;

	private static KafkaServer kafka;

	@BeforeAll
	static void startKafka() {
		List<org.apache.kafka.common.acl.AclBinding> acls = new ArrayList<>();
		acls.addAll(KafkaGrants.connector(CONNECTOR.user(), List.of(CHANGES, SIGNALS, HEARTBEAT)));
		acls.addAll(KafkaGrants.invalidator(INVALIDATOR.user(), List.of(CHANGES, HEARTBEAT), DEAD_LETTER, GROUP));
		acls.addAll(KafkaGrants.ops(OPS.user(), List.of(CHANGES), DEAD_LETTER, List.of(GROUP)));
		kafka = KafkaServer.startSecured(temporary.resolve("logs"), new KafkaUsers(
				new KafkaUser("freshline-broker", "broker-secret-1"), List.of(CONNECTOR, INVALIDATOR, OPS), acls));
	}

	@AfterAll
	static void stopKafka() {
		if (kafka != null) {
			kafka.close();
		}
	}

	@Test
	void shouldLetEachComponentDoItsOwnJob() throws Exception {
		// the connector declares its topics (KafkaAdmin) and writes changes, as idempotent producers
		try (Admin admin = Admin.create(kafka.clientProperties(CONNECTOR))) {
			admin.createTopics(List.of(new NewTopic(CHANGES, 1, (short) 1), new NewTopic(HEARTBEAT, 1, (short) 1)))
				.all()
				.get();
		}
		try (KafkaProducer<String, String> producer = producer(CONNECTOR)) {
			producer.send(new ProducerRecord<>(CHANGES, "42", "patient 42 changed")).get();
			assertThat(producer.partitionsFor(CHANGES)).hasSize(1);
		}
		// the invalidator declares its dead-letter topic, reads in its group, commits, dead-letters
		try (Admin admin = Admin.create(kafka.clientProperties(INVALIDATOR))) {
			admin.createTopics(List.of(new NewTopic(DEAD_LETTER, 1, (short) 1))).all().get();
			assertThat(admin.describeTopics(List.of(CHANGES)).allTopicNames().get()).containsKey(CHANGES);
		}
		try (KafkaConsumer<String, String> consumer = consumer(INVALIDATOR, GROUP)) {
			consumer.subscribe(List.of(CHANGES));
			List<ConsumerRecord<String, String>> received = new ArrayList<>();
			await().atMost(Duration.ofSeconds(30)).until(() -> {
				consumer.poll(Duration.ofMillis(100)).forEach(received::add);
				return !received.isEmpty();
			});
			assertThat(received.get(0).value()).isEqualTo("patient 42 changed");
			consumer.commitSync();
		}
		try (KafkaProducer<String, String> producer = producer(INVALIDATOR)) {
			producer.send(new ProducerRecord<>(DEAD_LETTER, "42", "poison")).get();
		}
		// ops reads the change topic and the DLT, and moves the invalidator's group back
		try (KafkaConsumer<String, String> consumer = consumer(OPS, null)) {
			TopicPartition partition = new TopicPartition(DEAD_LETTER, 0);
			consumer.assign(List.of(partition));
			consumer.seekToBeginning(List.of(partition));
			List<ConsumerRecord<String, String>> received = new ArrayList<>();
			await().atMost(Duration.ofSeconds(30)).until(() -> {
				consumer.poll(Duration.ofMillis(100)).forEach(received::add);
				return !received.isEmpty();
			});
		}
		try (Admin admin = Admin.create(kafka.clientProperties(OPS))) {
			TopicPartition partition = new TopicPartition(CHANGES, 0);
			assertThat(admin.listConsumerGroupOffsets(GROUP).partitionsToOffsetAndMetadata().get().get(partition).offset())
				.isEqualTo(1);
			admin.alterConsumerGroupOffsets(GROUP, Map.of(partition, new OffsetAndMetadata(0))).all().get();
			assertThat(admin.listConsumerGroupOffsets(GROUP).partitionsToOffsetAndMetadata().get().get(partition).offset())
				.isZero();
		}
	}

	@Test
	void shouldRefuseTheInvalidatorWritingAChangeTopic() throws Exception {
		createTopic(CHANGES);
		try (KafkaProducer<String, String> producer = producer(INVALIDATOR)) {
			assertThatThrownBy(() -> producer.send(new ProducerRecord<>(CHANGES, "42", "forged")).get())
				.isInstanceOf(ExecutionException.class)
				.hasCauseInstanceOf(TopicAuthorizationException.class);
		}
	}

	@Test
	void shouldRefuseTheConnectorReadingTheInvalidatorsGroup() throws Exception {
		try (Admin admin = Admin.create(kafka.clientProperties(CONNECTOR))) {
			assertThatThrownBy(() -> admin.listConsumerGroupOffsets(GROUP).partitionsToOffsetAndMetadata().get())
				.isInstanceOf(ExecutionException.class)
				.hasCauseInstanceOf(GroupAuthorizationException.class);
		}
	}

	@Test
	void shouldRefuseOpsWritingAnyTopic() throws Exception {
		createTopic(CHANGES);
		// not idempotent: an idempotent producer with no WRITE anywhere is refused its producer id
		// (ClusterAuthorizationException) before any topic is asked about
		try (KafkaProducer<String, String> producer = producer(OPS, false)) {
			assertThatThrownBy(() -> producer.send(new ProducerRecord<>(CHANGES, "42", "forged")).get())
				.isInstanceOf(ExecutionException.class)
				.hasCauseInstanceOf(TopicAuthorizationException.class);
		}
	}

	@Test
	void shouldRefuseAWrongPassword() {
		Map<String, Object> properties = kafka.clientProperties(new KafkaUser(OPS.user(), "not-the-password"));
		properties.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000);
		properties.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
		try (Admin admin = Admin.create(properties)) {
			assertThatThrownBy(() -> admin.listTopics().names().get())
				.isInstanceOf(ExecutionException.class)
				.hasCauseInstanceOf(SaslAuthenticationException.class);
		}
	}

	@Test
	void shouldNotAnswerAClientThatDoesNotLogIn() {
		// a plain client's first request is not a SASL handshake: the broker drops the connection,
		// and the client never learns anything before its timeout
		try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
				AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3_000, AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2_000))) {
			assertThatThrownBy(() -> admin.listTopics().names().get())
				.isInstanceOf(ExecutionException.class)
				.hasCauseInstanceOf(org.apache.kafka.common.errors.TimeoutException.class);
		}
	}

	private static void createTopic(String topic) throws Exception {
		try (Admin admin = Admin.create(kafka.adminProperties())) {
			if (!admin.listTopics().names().get().contains(topic)) {
				admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
			}
		}
	}

	private static KafkaProducer<String, String> producer(KafkaUser user) {
		return producer(user, true);
	}

	private static KafkaProducer<String, String> producer(KafkaUser user, boolean idempotent) {
		Map<String, Object> properties = kafka.clientProperties(user);
		properties.put(ProducerConfig.ACKS_CONFIG, "all");
		properties.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, idempotent);
		properties.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
		properties.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 10_000);
		properties.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
		return new KafkaProducer<>(properties, new StringSerializer(), new StringSerializer());
	}

	private static KafkaConsumer<String, String> consumer(KafkaUser user, String group) {
		Map<String, Object> properties = new HashMap<>(kafka.clientProperties(user));
		if (group != null) {
			properties.put(ConsumerConfig.GROUP_ID_CONFIG, group);
		}
		properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
		properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
		properties.put(CommonClientConfigs.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000);
		return new KafkaConsumer<>(properties, new StringDeserializer(), new StringDeserializer());
	}
}
