package dev.freshline.cdc.publish;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.kafka.core.DefaultKafkaProducerFactory;

import dev.freshline.cdc.TestConnectorProperties;
import dev.freshline.cdc.capture.CaptureProgress;
import dev.freshline.cdc.publish.KafkaChangePublisherIntegrationTests.Change;
import dev.freshline.cdc.publish.KafkaChangePublisherIntegrationTests.RecordingCommitter;
import dev.freshline.embedded.KafkaGrants;
import dev.freshline.embedded.KafkaServer;
import dev.freshline.embedded.KafkaUser;
import dev.freshline.embedded.KafkaUsers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The connector's publisher logged in as its own principal on a broker with ACLs: a change topic
 * it is granted takes its batches; a topic it is not (a table added to the rules before its ACLs,
 * docs/ops-runbook.md) is refused, and the batch is retried, never marked processed, until the
 * grant arrives. Nothing is lost for a missing ACL; nothing moves either.
 */
class KafkaChangePublisherAuthorizationIntegrationTests {

	private static final KafkaUser CONNECTOR = new KafkaUser("freshline-connector", "connector-password-1");

	private static final String GRANTED = "freshline.public.patient";

	private static final String NEW_TABLE = "freshline.public.ward";

	@TempDir
	Path temporary;

	private KafkaServer kafka;

	private DefaultKafkaProducerFactory<byte[], byte[]> producers;

	@AfterEach
	void stop() {
		if (this.producers != null) {
			this.producers.destroy();
		}
		if (this.kafka != null) {
			this.kafka.close();
		}
	}

	@Test
	void shouldPublishToItsTopicAndHoldABatchForATopicWithoutGrantsUntilTheyArrive() throws Exception {
		this.kafka = KafkaServer.startSecured(this.temporary.resolve("kafka"),
				new KafkaUsers(new KafkaUser("freshline-broker", "broker-password-1"), List.of(CONNECTOR),
						KafkaGrants.connector(CONNECTOR.user(), List.of(GRANTED))));
		try (Admin admin = Admin.create(this.kafka.adminProperties())) {
			admin.createTopics(List.of(new NewTopic(GRANTED, 1, (short) 1), new NewTopic(NEW_TABLE, 1, (short) 1)))
				.all()
				.get();
		}
		Map<String, Object> config = new HashMap<>(this.kafka.clientProperties(CONNECTOR));
		config.putAll(Map.of(ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.MAX_BLOCK_MS_CONFIG, 1_000,
				ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
				ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class));
		this.producers = new DefaultKafkaProducerFactory<>(config);
		CaptureProgress progress = new CaptureProgress(TestConnectorProperties.with(Map.of()), Clock.systemUTC());
		KafkaChangePublisher publisher = new KafkaChangePublisher(this.producers, progress);

		RecordingCommitter granted = new RecordingCommitter();
		Change patient = Change.of("{\"id\":1}", "{\"op\":\"u\"}", GRANTED);
		publisher.handleBatch(List.of(patient), granted);
		assertThat(granted.marked).containsExactly(patient, "batch finished");

		// one record of the batch is acknowledged, the other refused: the batch as a whole is not
		RecordingCommitter refused = new RecordingCommitter();
		Change patientAgain = Change.of("{\"id\":3}", "{\"op\":\"u\"}", GRANTED);
		Change ward = Change.of("{\"id\":2}", "{\"op\":\"u\"}", NEW_TABLE);
		CompletableFuture<Void> batch = CompletableFuture.runAsync(() -> {
			try {
				publisher.handleBatch(List.of(patientAgain, ward), refused);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		});
		await().atMost(Duration.ofSeconds(30)).until(() -> progress.sendFailures() >= 2);
		assertThat(refused.marked).as("nothing is marked while the topic is refused").isEmpty();
		assertThat(batch).isNotDone();
		assertThat(progress.health().getDetails()).containsEntry("lastError", "Kafka send failed: TopicAuthorizationException");

		try (Admin admin = Admin.create(this.kafka.adminProperties())) {
			admin.createAcls(KafkaGrants.connector(CONNECTOR.user(), List.of(NEW_TABLE))).all().get();
		}
		batch.get(60, TimeUnit.SECONDS);
		assertThat(refused.marked).containsExactly(patientAgain, ward, "batch finished");
	}
}
