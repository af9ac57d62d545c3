package dev.freshline.invalidator.invalidation;

import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.health.contributor.Status;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.listener.ConcurrentMessageListenerContainer;

import dev.freshline.embedded.RedisServer;
import dev.freshline.embedded.ServiceEnvironment;
import dev.freshline.embedded.SharedServers;
import dev.freshline.model.CacheKeys;

import static org.assertj.core.api.Assertions.assertThat;
import static dev.freshline.invalidator.invalidation.Waits.await;

/**
 * The invalidator against a real broker and a real Redis: keys from before and after images,
 * dead-lettering of unreadable records (after flushing their namespace), and retries that never
 * give up on a transient Redis failure.
 */
class InvalidatorIntegrationTests {

	private InvalidatorStack stack;

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

		ConsumerRecord<String, byte[]> deadLettered = InvalidatorStack.awaitDeadLetters(this.stack.topics.deadLetter()).get(0);
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
		assertThat(this.stack.counter("freshline.dead.lettered")).isZero();
		assertThat(this.stack.counter("freshline.invalidator.keys.deleted")).as("only the change's keys").isEqualTo(2);
	}

	@Test
	void shouldFlushOnceWhenTheGroupStartsWithoutOffsets() throws Exception {
		String name = SharedServers.uniqueName("inv");
		CacheKeys keys = new CacheKeys(name);
		String bystander = keys.patient(77);
		InvalidatorStack.preset(SharedServers.get().redis(), Map.of(bystander, "cached before the group existed"));

		this.stack = new InvalidatorStack(SharedServers.get().redis(), Map.of(), name);

		await().untilAsserted(() -> assertThat(this.stack.redis().exists(bystander)).as("no offsets: namespace flushed")
			.isZero());
		assertThat(this.stack.counter("freshline.offset.resets")).isPositive();
		assertThat(this.stack.counter("freshline.namespace.flushes", "namespace", "patient", "reason", "offset-gap"))
			.isPositive();

		// negative control: once offsets are committed, a restart flushes nothing
		this.stack.close();
		InvalidatorStack.preset(SharedServers.get().redis(), Map.of(bystander, "cached while the group was down"));
		this.stack = new InvalidatorStack(SharedServers.get().redis(), Map.of(), name);
		RecordMetadata change = this.stack.send(this.stack.topics.changes("patient"), "{\"id\":5}",
				InvalidatorStack.patientChange("u", 5L, 5L));
		await().until(() -> this.stack.committedOffset(new TopicPartition(change.topic(), change.partition())) == change
			.offset() + 1);
		assertThat(this.stack.redis().exists(bystander)).isEqualTo(1);
		assertThat(this.stack.counter("freshline.offset.resets")).isZero();
		assertThat(this.stack.counter("freshline.namespace.flushes")).isZero();
	}

	@Test
	void shouldFlushAndStartFromTheEarliestRecordWhenRetentionDeletedUnappliedChanges() throws Exception {
		this.stack = new InvalidatorStack(SharedServers.get().redis(), Map.of());
		String name = this.stack.name;
		String topic = this.stack.topics.changes("patient");
		RecordMetadata applied = this.stack.send(topic, "{\"id\":5}", InvalidatorStack.patientChange("u", 5L, 5L));
		TopicPartition partition = new TopicPartition(topic, applied.partition());
		await().until(() -> this.stack.committedOffset(partition) == applied.offset() + 1);
		this.stack.close();

		// while the group is down: two changes on its partition, the first removed as retention would
		String bystander = new CacheKeys(name).patient(78);
		RecordMetadata kept;
		try (InvalidatorStack.Producer producer = new InvalidatorStack.Producer()) {
			RecordMetadata lost = producer.send(topic, "{\"id\":5}", InvalidatorStack.patientChange("u", 5L, 5L));
			kept = producer.send(topic, "{\"id\":5}", InvalidatorStack.patientChange("u", 5L, 5L));
			assertThat(lost.partition()).isEqualTo(kept.partition()).isEqualTo(partition.partition());
			producer.deleteRecordsBefore(partition, kept.offset());
		}
		InvalidatorStack.preset(SharedServers.get().redis(), Map.of(bystander, "may be stale: its change was lost"));

		this.stack = new InvalidatorStack(SharedServers.get().redis(), Map.of(), name);

		await().until(() -> this.stack.committedOffset(partition) == kept.offset() + 1);
		assertThat(this.stack.redis().exists(bystander)).as("the lost change's namespace was flushed").isZero();
		assertThat(this.stack.counter("freshline.offset.resets")).isEqualTo(1);
	}

	@Test
	void shouldReportDownOnceItsListenerStopped() {
		this.stack = new InvalidatorStack(SharedServers.get().redis(), Map.of());
		ListenerHealth health = this.stack.bean(ListenerHealth.class);
		await().until(() -> health.health().getStatus() == Status.UP);

		// an operator (or shutdown) stopping every listener
		this.stack.bean(KafkaListenerEndpointRegistry.class).stop();

		assertThat(health.health().getStatus()).isEqualTo(Status.DOWN);
	}

	@Test
	void shouldReportDownOnceAnErrorKilledOneOfItsConsumers() throws Exception {
		InvalidationHooks dies = new InvalidationHooks() {
			@Override
			public void beforeDelete(String key) {
				if (key.endsWith(":patient:{666}")) {
					throw new Error("thrown by the test: the consumer of patient 666's partition dies");
				}
			}
		};
		this.stack = new InvalidatorStack(SharedServers.get().redis(),
				Map.of(ServiceEnvironment.INVALIDATOR_CONCURRENCY, 3), dies);
		ListenerHealth health = this.stack.bean(ListenerHealth.class);
		ConcurrentMessageListenerContainer<?, ?> container = listenerContainer();
		await().until(() -> container.getContainers().size() == 3 && health.health().getStatus() == Status.UP);

		this.stack.send(this.stack.topics.changes("patient"), "{\"id\":666}",
				InvalidatorStack.patientChange("u", 666L, 666L));

		await().untilAsserted(() -> assertThat(health.health().getStatus()).as("health %s", health.health().getDetails())
			.isEqualTo(Status.DOWN));
	}

	@Test
	void shouldReportDownWhileOneConsumerIsStoppedAndTheOthersRun() {
		this.stack = new InvalidatorStack(SharedServers.get().redis(),
				Map.of(ServiceEnvironment.INVALIDATOR_CONCURRENCY, 3));
		ListenerHealth health = this.stack.bean(ListenerHealth.class);
		ConcurrentMessageListenerContainer<?, ?> container = listenerContainer();
		await().until(() -> container.getContainers().size() == 3 && health.health().getStatus() == Status.UP);

		// a consumer that ends on its own (not through its parent) leaves the parent running
		container.getContainers().get(1).stopAbnormally(() -> {
		});

		await().until(() -> !container.getContainers().get(1).isRunning());
		assertThat(container.isRunning()).as("the other consumers still run").isTrue();
		assertThat(health.health().getStatus()).as("health %s", health.health().getDetails()).isEqualTo(Status.DOWN);
	}

	private ConcurrentMessageListenerContainer<?, ?> listenerContainer() {
		return (ConcurrentMessageListenerContainer<?, ?>) this.stack.bean(KafkaListenerEndpointRegistry.class)
			.getListenerContainers()
			.iterator()
			.next();
	}

	@Test
	void shouldNotCommitPastARecordWhoseDeadLetterPublicationFails() throws Exception {
		// the dead-letter producer refuses every record (too large): the publication always fails
		this.stack = new InvalidatorStack(SharedServers.get().redis(),
				Map.of("spring.kafka.producer.properties.max.request.size", 64));
		String topic = this.stack.topics.changes("patient");
		RecordMetadata applied = this.stack.send(topic, "{\"id\":5}", InvalidatorStack.patientChange("u", 5L, 5L));
		TopicPartition partition = new TopicPartition(topic, applied.partition());
		await().until(() -> this.stack.committedOffset(partition) == applied.offset() + 1);
		String bystander = this.stack.keys.patient(6);
		this.stack.redis().set(bystander, "x");

		// an unreadable record with a good one behind it on its partition, in flight together
		RecordMetadata garbage = this.stack.send(topic, "{\"id\":5}", "{not json at all".getBytes());
		RecordMetadata behind = this.stack.send(topic, "{\"id\":5}", InvalidatorStack.patientChange("u", 5L, 5L));
		assertThat(behind.partition()).isEqualTo(garbage.partition()).isEqualTo(partition.partition());

		// the recoverer flushes before it publishes: a flush after the first one shows a second
		// attempt; a skipped record would show as an offset committed past it instead
		await().until(() -> this.stack.redis().exists(bystander) == 0);
		this.stack.redis().set(bystander, "x");
		await().until(() -> this.stack.redis().exists(bystander) == 0
				|| this.stack.committedOffset(partition) > garbage.offset());

		// (the record behind it shares the flushed namespaces: only its offset can tell)
		assertThat(this.stack.committedOffset(partition)).as("nothing committed past the record not yet dead-lettered")
			.isEqualTo(garbage.offset());
		assertThat(this.stack.counter("freshline.dead.lettered")).isZero();
	}

	@Test
	void shouldDeadLetterAChangeOfAnUnknownTable() throws Exception {
		this.stack = new InvalidatorStack(SharedServers.get().redis(), Map.of());
		String unknown = "{\"before\":null,\"after\":{\"id\":1},\"source\":{\"table\":\"audit\",\"ts_ms\":1,\"lsn\":1},\"op\":\"c\"}";

		this.stack.send(this.stack.topics.changes("patient"), "{\"id\":1}", unknown);

		ConsumerRecord<String, byte[]> deadLettered = InvalidatorStack.awaitDeadLetters(this.stack.topics.deadLetter()).get(0);
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
			assertThat(this.stack.counter("freshline.dead.lettered")).isZero();
		}
	}

}
