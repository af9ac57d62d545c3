package dev.freshline.invalidator.invalidation;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.freshline.embedded.RedisServer;
import dev.freshline.embedded.SharedServers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The invalidator against a real broker and a real Redis: keys from before and after images,
 * dead-lettering of unreadable records (after flushing their namespace), and retries that never
 * give up on a transient Redis failure.
 */
class InvalidatorIntegrationTests {

	private InvalidatorStack stack;

	@BeforeAll
	static void awaitLonger() {
		org.awaitility.Awaitility.setDefaultTimeout(Duration.ofSeconds(30));
	}

	@AfterEach
	void stop() {
		if (this.stack != null) {
			this.stack.close();
		}
	}

	@Test
	void shouldDeleteKeysOfBothImages() throws Exception {
		this.stack = new InvalidatorStack(SharedServers.get().redis(), Map.of());
		String moved = "{\"before\":{\"id\":3,\"hospital_id\":1},\"after\":{\"id\":3,\"hospital_id\":2},"
				+ "\"source\":{\"table\":\"formulary_item\",\"ts_ms\":1,\"lsn\":1},\"op\":\"u\"}";
		String hospital1 = this.stack.keys.formulary(1);
		String hospital2 = this.stack.keys.formulary(2);
		String hospital3 = this.stack.keys.formulary(3);
		this.stack.redis().mset(Map.of(hospital1, "a", hospital2, "b", hospital3, "c"));

		this.stack.send(this.stack.topics.changes("formulary_item"), "{\"id\":3}", moved);

		await().untilAsserted(() -> assertThat(this.stack.redis().exists(hospital1, hospital2)).isZero());
		assertThat(this.stack.redis().exists(hospital3)).as("an unrelated hospital keeps its list").isEqualTo(1);
	}

	@Test
	void shouldFlushTheNamespaceAndDeadLetterAnUnparseableRecordThenApplyLaterRecords() throws Exception {
		this.stack = new InvalidatorStack(SharedServers.get().redis(), Map.of());
		String patientTopic = this.stack.topics.changes("patient");
		String bystander = this.stack.keys.patient(6);
		String otherNamespace = this.stack.keys.formulary(1);
		this.stack.redis().mset(Map.of(bystander, "x", otherNamespace, "y"));
		byte[] garbage = "{not json at all".getBytes();

		this.stack.send(patientTopic, "{\"id\":5}", garbage);

		ConsumerRecord<String, byte[]> deadLettered = awaitDeadLetter(this.stack.topics.deadLetter());
		assertThat(deadLettered.value()).isEqualTo(garbage);
		assertThat(new String(deadLettered.headers().lastHeader("kafka_dlt-exception-cause-fqcn").value()))
			.contains("MalformedChangeEventException");
		assertThat(this.stack.redis().exists(bystander)).as("the patient namespace was flushed").isZero();
		assertThat(this.stack.redis().exists(otherNamespace)).as("other namespaces are untouched").isEqualTo(1);

		String later = this.stack.keys.patient(5);
		this.stack.redis().set(later, "cached");
		this.stack.send(patientTopic, "{\"id\":5}", InvalidatorStack.patientChange("u", 5L, 5L));

		await().untilAsserted(() -> assertThat(this.stack.redis().exists(later)).isZero());
	}

	@Test
	void shouldTreatTombstonesAndHeartbeatsAsNoOps() throws Exception {
		this.stack = new InvalidatorStack(SharedServers.get().redis(), Map.of());
		String patientTopic = this.stack.topics.changes("patient");
		String bystander = this.stack.keys.patient(6);
		String patient5 = this.stack.keys.patient(5);
		this.stack.redis().mset(Map.of(bystander, "x", patient5, "y"));

		RecordMetadata tombstone = this.stack.send(patientTopic, "{\"id\":5}", (byte[]) null);
		this.stack.send(this.stack.topics.heartbeat(), "{\"serverName\":\"" + this.stack.name + "\"}",
				"{\"ts_ms\":" + System.currentTimeMillis() + "}");
		// a later change on the tombstone's partition proves the tombstone was passed, not stuck
		RecordMetadata change = this.stack.send(patientTopic, "{\"id\":5}", InvalidatorStack.patientChange("u", 5L, 5L));

		await().untilAsserted(() -> assertThat(this.stack.redis().exists(patient5)).isZero());
		assertThat(change.partition()).isEqualTo(tombstone.partition());
		await().until(() -> this.stack.bean(PipelineHeartbeat.class).lastBeatMillis() > 0);
		assertThat(this.stack.redis().exists(bystander)).as("nothing flushed").isEqualTo(1);
		assertThat(this.stack.counter("freshline.invalidator.dead.lettered")).isZero();
		assertThat(this.stack.counter("freshline.invalidator.keys.deleted")).as("only the change's keys").isEqualTo(2);
	}

	@Test
	void shouldReportDownOnceItsListenerStopped() {
		this.stack = new InvalidatorStack(SharedServers.get().redis(), Map.of());
		ListenerHealth health = this.stack.bean(ListenerHealth.class);
		await().until(() -> health.health().getStatus() == org.springframework.boot.health.contributor.Status.UP);

		// what an Error thrown in the listener does to its container
		this.stack.bean(org.springframework.kafka.config.KafkaListenerEndpointRegistry.class).stop();

		assertThat(health.health().getStatus()).isEqualTo(org.springframework.boot.health.contributor.Status.DOWN);
	}

	@Test
	void shouldDeadLetterAChangeOfAnUnknownTable() throws Exception {
		this.stack = new InvalidatorStack(SharedServers.get().redis(), Map.of());
		String unknown = "{\"before\":null,\"after\":{\"id\":1},\"source\":{\"table\":\"audit\",\"ts_ms\":1,\"lsn\":1},\"op\":\"c\"}";

		this.stack.send(this.stack.topics.changes("patient"), "{\"id\":1}", unknown);

		ConsumerRecord<String, byte[]> deadLettered = awaitDeadLetter(this.stack.topics.deadLetter());
		assertThat(new String(deadLettered.value())).isEqualTo(unknown);
	}

	@Test
	void shouldRetryARedisOutageBeyondTenAttemptsWithoutCommittingTheOffset() throws Exception {
		try (RedisServer redis = RedisServer.start()) {
			this.stack = new InvalidatorStack(redis, Map.of("freshline.invalidator.retry.initial-interval", "5ms",
					"freshline.invalidator.retry.max-interval", "20ms", "REDIS_TIMEOUT", "100ms", "REDIS_CONNECT_TIMEOUT", "100ms"));
			String patientTopic = this.stack.topics.changes("patient");
			RecordMetadata warmUp = this.stack.send(patientTopic, "{\"id\":1}", InvalidatorStack.patientChange("u", 1L, 1L));
			TopicPartition partition = new TopicPartition(patientTopic, warmUp.partition());
			await().until(() -> this.stack.committedOffset(partition) == warmUp.offset() + 1);

			redis.stop();
			RecordMetadata duringOutage = this.stack.send(patientTopic, "{\"id\":1}",
					InvalidatorStack.patientChange("u", 1L, 1L));
			// spring-kafka's stock handler would have skipped the record after 10 attempts
			await().until(() -> this.stack.counter("freshline.invalidator.failures") >= 15);
			assertThat(this.stack.committedOffset(partition)).isEqualTo(duringOutage.offset());

			redis.restart();
			await().until(() -> this.stack.committedOffset(partition) == duringOutage.offset() + 1);
			assertThat(this.stack.counter("freshline.invalidator.dead.lettered")).isZero();
		}
	}

	private static ConsumerRecord<String, byte[]> awaitDeadLetter(String topic) {
		try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(
				Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedServers.get().kafka().bootstrapServers(),
						ConsumerConfig.GROUP_ID_CONFIG, SharedServers.uniqueName("dlt"),
						ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
				new StringDeserializer(), new ByteArrayDeserializer())) {
			consumer.subscribe(List.of(topic));
			AtomicReference<ConsumerRecord<String, byte[]>> found = new AtomicReference<>();
			await().until(() -> {
				consumer.poll(Duration.ofMillis(200)).forEach(found::set);
				return found.get() != null;
			});
			return found.get();
		}
	}
}
