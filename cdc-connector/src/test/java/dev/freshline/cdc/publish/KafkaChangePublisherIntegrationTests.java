package dev.freshline.cdc.publish;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import io.debezium.engine.ChangeEvent;
import io.debezium.engine.DebeziumEngine;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

import org.springframework.kafka.core.DefaultKafkaProducerFactory;

import dev.freshline.cdc.capture.CaptureProgress;
import dev.freshline.cdc.TestConnectorProperties;
import dev.freshline.embedded.SharedServers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The delivery rule at the source, against a real broker: while Kafka cannot take a batch (its
 * topic does not exist yet and brokers do not auto-create), nothing is marked processed and the
 * batch is retried; once the topic exists, the batch lands and only then is it marked.
 */
class KafkaChangePublisherIntegrationTests {

	private final String bootstrap = SharedServers.get().kafka().bootstrapServers();

	private final String topic = SharedServers.uniqueName("cdc") + ".public.patient";

	private final DefaultKafkaProducerFactory<byte[], byte[]> producers = new DefaultKafkaProducerFactory<>(
			Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, this.bootstrap, ProducerConfig.ACKS_CONFIG, "all",
					ProducerConfig.MAX_BLOCK_MS_CONFIG, 300, ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
					ByteArraySerializer.class, ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class));

	@AfterEach
	void closeProducers() {
		this.producers.destroy();
	}

	@Test
	void shouldMarkRecordsProcessedOnlyAfterKafkaAcknowledgedThem() throws Exception {
		CaptureProgress progress = new CaptureProgress(TestConnectorProperties.with(Map.of()), Clock.systemUTC());
		KafkaChangePublisher publisher = new KafkaChangePublisher(this.producers, progress);
		RecordingCommitter committer = new RecordingCommitter();
		Change change = Change.of("{\"id\":1}", "{\"op\":\"u\"}", this.topic);

		CompletableFuture<Void> batch = CompletableFuture.runAsync(() -> {
			try {
				publisher.handleBatch(List.of(change), committer);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		});
		await().atMost(Duration.ofSeconds(30)).until(() -> progress.sendFailures() >= 2);
		assertThat(committer.marked).as("nothing is marked while Kafka has not acknowledged").isEmpty();
		assertThat(batch).isNotDone();

		createTopic();
		batch.get(60, TimeUnit.SECONDS);

		assertThat(committer.marked).containsExactly(change, "batch finished");
		assertThat(progress.published()).isEqualTo(1);
		try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
				this.bootstrap, ConsumerConfig.GROUP_ID_CONFIG, SharedServers.uniqueName("check"),
				ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new StringDeserializer(), new StringDeserializer())) {
			consumer.subscribe(List.of(this.topic));
			List<String> values = new CopyOnWriteArrayList<>();
			// a new group joins before its first records: seconds on a loaded machine
			await().atMost(Duration.ofSeconds(60)).until(() -> {
				consumer.poll(Duration.ofMillis(200)).forEach((record) -> values.add(record.key() + " " + record.value()));
				return !values.isEmpty();
			});
			assertThat(values).containsExactly("{\"id\":1} {\"op\":\"u\"}");
		}
	}

	@Test
	void shouldRetryTheConnectorsOwnRecordsUntilKafkaAcknowledgedThemWhateverTheLifecycle() throws Exception {
		// capture's owed flush may go out before this bean started (on a context restart), and
		// must wait for Kafka all the same: only the caller's condition gives up
		CaptureProgress progress = new CaptureProgress(TestConnectorProperties.with(Map.of()), Clock.systemUTC());
		KafkaChangePublisher publisher = new KafkaChangePublisher(this.producers, progress);
		publisher.stop();
		Change flush = Change.of(null, "{\"op\":\"t\"}", this.topic);

		CompletableFuture<Void> published = CompletableFuture.runAsync(() -> {
			try {
				publisher.publish(List.of(flush), () -> false);
			}
			catch (InterruptedException ex) {
				throw new IllegalStateException("gave up before Kafka acknowledged", ex);
			}
		});
		await().atMost(Duration.ofSeconds(30)).until(() -> progress.sendFailures() >= 2 || published.isDone());
		assertThat(published).as("still retrying after %d refused sends", progress.sendFailures()).isNotDone();

		createTopic();
		published.get(60, TimeUnit.SECONDS);
	}

	@Test
	void shouldLeaveABatchUnmarkedAndReturnTheEngineThreadWhenTheConnectorStops() {
		CaptureProgress progress = new CaptureProgress(TestConnectorProperties.with(Map.of()), Clock.systemUTC());
		KafkaChangePublisher publisher = new KafkaChangePublisher(this.producers, progress);
		publisher.stop();
		RecordingCommitter committer = new RecordingCommitter();

		assertThatThrownBy(() -> publisher.handleBatch(List.of(Change.of("{\"id\":1}", "{}", this.topic)), committer))
			.isInstanceOf(InterruptedException.class);
		assertThat(committer.marked).isEmpty();
	}

	private void createTopic() throws Exception {
		try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, this.bootstrap))) {
			admin.createTopics(List.of(new NewTopic(this.topic, 1, (short) 1))).all().get();
		}
	}

	/** An engine record as the engine hands it over: Debezium's JSON as UTF-8 bytes. */
	record Change(byte @Nullable [] key, byte[] value, String destination) implements ChangeEvent<byte[], byte[]> {

		static Change of(@Nullable String key, String value, String destination) {
			return new Change((key != null) ? key.getBytes(StandardCharsets.UTF_8) : null,
					value.getBytes(StandardCharsets.UTF_8), destination);
		}

		@Override
		public Integer partition() {
			return null;
		}
	}

	static final class RecordingCommitter implements DebeziumEngine.RecordCommitter<ChangeEvent<byte[], byte[]>> {

		final List<Object> marked = new CopyOnWriteArrayList<>();

		@Override
		public void markProcessed(ChangeEvent<byte[], byte[]> record) {
			this.marked.add(record);
		}

		@Override
		public void markBatchFinished() {
			this.marked.add("batch finished");
		}

		@Override
		public void markProcessed(ChangeEvent<byte[], byte[]> record, DebeziumEngine.Offsets offsets) {
			this.marked.add(record);
		}

		@Override
		public DebeziumEngine.Offsets buildOffsets() {
			throw new UnsupportedOperationException("not used by the publisher");
		}
	}
}
