package dev.freshline.embedded;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
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
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
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
