package dev.freshline.embedded;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class KafkaServerIntegrationTests {

	@TempDir
	static Path temporary;

	private static KafkaServer kafka;

	private static Path logDirectory;

	private static Admin admin;

	@BeforeAll
	static void startKafka() {
		logDirectory = temporary.resolve("logs");
		kafka = KafkaServer.start(logDirectory);
		admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()));
	}

	@AfterAll
	static void stopKafka() {
		if (admin != null) {
			admin.close();
		}
		if (kafka != null) {
			kafka.close();
			assertThat(logDirectory).doesNotExist();
		}
	}

	@Test
	void shouldListenOnLoopbackOnly() {
		assertThat(kafka.bootstrapServers()).startsWith("127.0.0.1:");
	}

	@Test
	void shouldProduceAndConsumeOnADeclaredTopic() throws Exception {
		String topic = SharedServers.uniqueName("declared");
		admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();

		try (KafkaProducer<String, String> producer = producer()) {
			producer.send(new ProducerRecord<>(topic, "sku-1", "price changed")).get();
		}

		try (KafkaConsumer<String, String> consumer = consumer()) {
			consumer.subscribe(List.of(topic));
			List<ConsumerRecord<String, String>> received = new ArrayList<>();
			await().atMost(Duration.ofSeconds(30)).until(() -> {
				consumer.poll(Duration.ofMillis(100)).forEach(received::add);
				return !received.isEmpty();
			});
			assertThat(received).singleElement().satisfies((record) -> {
				assertThat(record.key()).isEqualTo("sku-1");
				assertThat(record.value()).isEqualTo("price changed");
			});
		}
	}

	@Test
	void shouldNotAutoCreateAnUndeclaredTopic() throws Exception {
		String topic = SharedServers.uniqueName("undeclared");

		try (KafkaProducer<String, String> producer = producer()) {
			assertThatThrownBy(() -> producer.send(new ProducerRecord<>(topic, "k", "v")).get())
					.isInstanceOfAny(TimeoutException.class, ExecutionException.class);
		}

		assertThat(admin.listTopics().names().get()).doesNotContain(topic);
	}

	private static KafkaProducer<String, String> producer() {
		return new KafkaProducer<>(Map.of(
				ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
				// An undeclared topic never appears in metadata: fail fast instead of after 60 s.
				ProducerConfig.MAX_BLOCK_MS_CONFIG, 2_000,
				ProducerConfig.LINGER_MS_CONFIG, 0),
				new StringSerializer(), new StringSerializer());
	}

	private static KafkaConsumer<String, String> consumer() {
		return new KafkaConsumer<>(Map.of(
				ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
				ConsumerConfig.GROUP_ID_CONFIG, SharedServers.uniqueName("group"),
				ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
				new StringDeserializer(), new StringDeserializer());
	}
}
