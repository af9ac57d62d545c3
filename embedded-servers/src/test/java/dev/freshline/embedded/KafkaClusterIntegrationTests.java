package dev.freshline.embedded;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Three nodes as one cluster on loopback: a topic with three replicas keeps taking acks=all writes
 * once its leader is killed, keeps what was acknowledged before, and the killed node comes back on
 * its own data and catches up.
 */
class KafkaClusterIntegrationTests {

	@TempDir
	Path temporary;

	@Test
	void shouldKeepAcknowledgedRecordsAndTakeWritesWhenTheLeaderIsKilledAndCatchUpOnRestart() throws Exception {
		Path directory = this.temporary.resolve("cluster");
		String topic = SharedServers.uniqueName("replicated");
		try (KafkaCluster cluster = KafkaCluster.start(directory); Admin admin = Admin.create(cluster.adminProperties())) {
			assertThat(cluster.bootstrapServers().split(",")).hasSize(KafkaCluster.SIZE)
				.allSatisfy((server) -> assertThat(server).startsWith("127.0.0.1:"));
			assertThat(admin.describeCluster().nodes().get(30, TimeUnit.SECONDS)).hasSize(KafkaCluster.SIZE);
			admin.createTopics(List.of(new NewTopic(topic, 1, (short) 3).configs(Map.of("min.insync.replicas", "2"))))
				.all()
				.get(30, TimeUnit.SECONDS);
			await().atMost(Duration.ofSeconds(30)).until(() -> describe(admin, topic).partitions().get(0).isr().size() == 3);
			int leader = describe(admin, topic).partitions().get(0).leader().id();

			try (KafkaProducer<String, String> producer = producer(cluster)) {
				producer.send(new ProducerRecord<>(topic, "k", "before the kill")).get(30, TimeUnit.SECONDS);
				cluster.kill(leader);
				// acks=all with min.insync.replicas=2: acknowledged once the two others have it
				producer.send(new ProducerRecord<>(topic, "k", "after the kill")).get(60, TimeUnit.SECONDS);
			}
			assertThat(cluster.isRunning(leader)).isFalse();
			assertThat(describe(admin, topic).partitions().get(0).leader().id()).isNotEqualTo(leader);
			assertThat(read(cluster, topic, 2)).containsExactly("before the kill", "after the kill");

			cluster.restart(leader);
			assertThat(cluster.isRunning(leader)).isTrue();
			await().atMost(Duration.ofSeconds(60))
				.untilAsserted(() -> assertThat(describe(admin, topic).partitions().get(0).isr())
					.anySatisfy((node) -> assertThat(node.id()).isEqualTo(leader))
					.hasSize(3));
		}
		assertThat(directory).doesNotExist();
	}

	/**
	 * The grants of the secured single broker hold on a cluster: each component's principal does its
	 * own job, on a topic whose acks=all writes need both followers, which replicate over SASL/SCRAM
	 * as the broker's own user; what another component does is refused; and both stay so once the
	 * leader is killed, since logins and ACLs are the quorum's metadata, not a node's.
	 */
	@Test
	void shouldHoldEachComponentToItsGrantsOnEveryNodeAndAfterALeaderIsKilled() throws Exception {
		String changes = SharedServers.uniqueName("secured") + ".public.patient";
		String group = SharedServers.uniqueName("invalidators");
		KafkaUser connector = new KafkaUser("freshline-cdc", "connector-secret-3");
		KafkaUser invalidator = new KafkaUser("freshline-invalidator", "invalidator-secret-3");
		List<AclBinding> acls = new ArrayList<>();
		acls.addAll(KafkaGrants.connector(connector.user(), List.of(changes)));
		acls.addAll(KafkaGrants.invalidator(invalidator.user(), List.of(changes), changes + ".dlt", group));
		KafkaUsers users = new KafkaUsers(new KafkaUser("freshline-broker", "broker-secret-3"),
				List.of(connector, invalidator), acls);
		try (KafkaCluster cluster = KafkaCluster.startSecured(this.temporary.resolve("secured"), users);
				Admin admin = Admin.create(cluster.adminProperties())) {
			try (Admin own = Admin.create(cluster.clientProperties(connector))) {
				own.createTopics(List.of(new NewTopic(changes, 1, (short) 3).configs(Map.of("min.insync.replicas", "2"))))
					.all()
					.get(30, TimeUnit.SECONDS);
			}
			await().atMost(Duration.ofSeconds(30)).until(() -> describe(admin, changes).partitions().get(0).isr().size() == 3);
			int leader = describe(admin, changes).partitions().get(0).leader().id();

			try (KafkaProducer<String, String> producer = producer(cluster.clientProperties(connector))) {
				producer.send(new ProducerRecord<>(changes, "42", "before the kill")).get(30, TimeUnit.SECONDS);
				cluster.kill(leader);
				producer.send(new ProducerRecord<>(changes, "42", "after the kill")).get(60, TimeUnit.SECONDS);
			}
			assertThat(describe(admin, changes).partitions().get(0).leader().id()).isNotEqualTo(leader);
			try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumer(cluster.clientProperties(invalidator),
					group), new StringDeserializer(), new StringDeserializer())) {
				consumer.subscribe(List.of(changes));
				List<String> values = new ArrayList<>();
				await().atMost(Duration.ofSeconds(60)).until(() -> {
					consumer.poll(Duration.ofMillis(100)).forEach((record) -> values.add(record.value()));
					return values.size() >= 2;
				});
				assertThat(values).containsExactly("before the kill", "after the kill");
				consumer.commitSync();
			}
			// the invalidator reads changes and never writes them; a wrong password logs in nowhere
			try (KafkaProducer<String, String> producer = producer(cluster.clientProperties(invalidator))) {
				assertThatThrownBy(() -> producer.send(new ProducerRecord<>(changes, "42", "forged")).get(30, TimeUnit.SECONDS))
					.hasCauseInstanceOf(TopicAuthorizationException.class);
			}
			try (KafkaProducer<String, String> producer = producer(
					cluster.clientProperties(new KafkaUser(connector.user(), "not-the-password")))) {
				assertThatThrownBy(() -> producer.send(new ProducerRecord<>(changes, "42", "forged")).get(30, TimeUnit.SECONDS))
					.hasCauseInstanceOf(SaslAuthenticationException.class);
			}
		}
	}

	private static Map<String, Object> consumer(Map<String, Object> client, String group) {
		Map<String, Object> properties = new HashMap<>(client);
		properties.put(ConsumerConfig.GROUP_ID_CONFIG, group);
		properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
		properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
		return properties;
	}

	private static KafkaProducer<String, String> producer(Map<String, Object> client) {
		Map<String, Object> properties = new HashMap<>(client);
		properties.put(ProducerConfig.ACKS_CONFIG, "all");
		properties.put(ProducerConfig.LINGER_MS_CONFIG, 0);
		properties.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 30_000);
		return new KafkaProducer<>(properties, new StringSerializer(), new StringSerializer());
	}

	private static TopicDescription describe(Admin admin, String topic) throws Exception {
		return admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic);
	}

	private static KafkaProducer<String, String> producer(KafkaCluster cluster) {
		return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(),
				ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.LINGER_MS_CONFIG, 0), new StringSerializer(),
				new StringSerializer());
	}

	private static List<String> read(KafkaCluster cluster, String topic, int count) {
		List<String> values = new ArrayList<>();
		try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(
				Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()), new StringDeserializer(),
				new StringDeserializer())) {
			TopicPartition partition = new TopicPartition(topic, 0);
			consumer.assign(List.of(partition));
			consumer.seekToBeginning(List.of(partition));
			await().atMost(Duration.ofSeconds(30)).until(() -> {
				consumer.poll(Duration.ofMillis(100)).forEach((record) -> values.add(record.value()));
				return values.size() >= count;
			});
		}
		return values;
	}
}
