package dev.freshline.invalidator.invalidation;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.data.redis.RedisConnectionFailureException;

import dev.freshline.embedded.RedisServer;
import dev.freshline.embedded.SharedServers;
import dev.freshline.model.CacheKeys;
import dev.freshline.model.Watermark;

import static org.assertj.core.api.Assertions.assertThat;
import static dev.freshline.invalidator.invalidation.Waits.await;

/**
 * The invalidator applies a whole poll at once. Each test writes its records while the group's
 * invalidator is stopped and then starts it, so its first poll holds all of them (one partition,
 * a few records: one fetch), and looks at the named points of {@link InvalidationHooks} from the
 * consumer's own thread: what Redis and the group's offsets held at that moment.
 */
class BatchInvalidationIntegrationTests {

	private static final RedisServer REDIS = SharedServers.get().redis();

	private InvalidatorStack stack;

	private final RedisClient client = RedisClient.create(REDIS.uri());

	private final StatefulRedisConnection<String, String> connection = this.client.connect();

	/** Reads Redis from the hooks, on the consumer's thread, while the stack may still be starting. */
	private final RedisCommands<String, String> redis = this.connection.sync();

	@AfterEach
	void stop() {
		if (this.stack != null) {
			this.stack.close();
		}
		this.connection.close();
		this.client.shutdown();
	}

	@Test
	void shouldDeleteAKeyChangedManyTimesInOnePollOnceWithItsHighestFloor() throws Exception {
		String name = stoppedGroup();
		CacheKeys keys = new CacheKeys(name);
		TopicPartition partition = patientPartition(name);
		String key = keys.patient(5);
		RecordMetadata last = null;
		try (InvalidatorStack.Producer producer = new InvalidatorStack.Producer()) {
			// the highest version is neither the first nor the last of the poll
			for (long version : new long[] { 4, 9, 12, 7, 3, 11, 5, 10, 8, 6 }) {
				last = producer.send(partition, "{\"id\":5}", patientUpdate(5, version));
			}
		}
		String bystander = keys.patient(80);
		InvalidatorStack.preset(REDIS, Map.of(key, "stale", bystander, "cached"));
		Recorder hooks = new Recorder();

		this.stack = new InvalidatorStack(REDIS, Map.of(), name, hooks);

		long end = last.offset() + 1;
		await().until(() -> this.stack.committedOffset(partition) == end);
		assertThat(hooks.deletes(key)).as("ten changes of one key in one poll: one invalidation").isEqualTo(1);
		// the poll's records are delivered, not yet applied, while the next one is observed: no gap
		assertThat(this.redis.exists(bystander)).as("nothing flushed").isEqualTo(1);
		assertThat(this.stack.counter("freshline.offset.resets")).isZero();
		assertThat(this.redis.get(keys.floor(key))).as("the highest floor of the poll").isEqualTo("12");
		assertThat(this.redis.exists(key)).isZero();
		assertThat(this.stack.counter("freshline.invalidator.keys.deleted")).as("patient 5 and its ward, once each")
			.isEqualTo(2);
	}

	/**
	 * Redis fails the poll's deletes once: nothing is committed before the poll is applied again,
	 * from its first record, and every record of it ends applied.
	 */
	@Test
	void shouldApplyAFailedPollAgainFromItsStartAndCommitNothingBeforeItSucceeds() throws Exception {
		String name = stoppedGroup();
		CacheKeys keys = new CacheKeys(name);
		TopicPartition partition = patientPartition(name);
		List<RecordMetadata> written = new ArrayList<>();
		try (InvalidatorStack.Producer producer = new InvalidatorStack.Producer()) {
			for (long id = 1; id <= 6; id++) {
				written.add(producer.send(partition, "{\"id\":" + id + "}", patientUpdate(id, 3)));
			}
		}
		Map<String, String> cached = new ConcurrentHashMap<>();
		for (long id = 1; id <= 6; id++) {
			cached.put(keys.patient(id), "stale");
		}
		InvalidatorStack.preset(REDIS, cached);
		long start = written.get(0).offset();
		long end = written.get(written.size() - 1).offset() + 1;
		AtomicInteger attempts = new AtomicInteger();
		Map<Integer, Long> committedAtAttempt = new ConcurrentHashMap<>();
		InvalidationHooks failOnce = new InvalidationHooks() {
			@Override
			public void beforeDelete(String key) {
				if (!key.equals(keys.patient(1))) {
					return;
				}
				int attempt = attempts.incrementAndGet();
				committedAtAttempt.put(attempt, committedOffset(name, partition));
				if (attempt == 1) {
					throw new RedisConnectionFailureException("Redis went away (test)");
				}
			}
		};

		this.stack = new InvalidatorStack(REDIS, InvalidatorStack.RETRY_FAST, name, failOnce);

		await().until(() -> this.stack.committedOffset(partition) == end);
		assertThat(cached.keySet()).as("no record of the poll skipped")
			.allSatisfy((key) -> assertThat(this.redis.exists(key)).as(key).isZero());
		assertThat(attempts.get()).as("the poll failed once, then was applied again from its start").isEqualTo(2);
		assertThat(committedAtAttempt.get(2)).as("nothing committed between the failure and the retry")
			.isEqualTo(start);
		assertThat(this.stack.counter("freshline.invalidator.failures")).isEqualTo(1);
		assertThat(this.stack.counter("freshline.offset.resets")).as("no gap: nothing was skipped").isZero();
		assertThat(this.stack.counter("freshline.dead.lettered")).isZero();
	}

	/**
	 * An unreadable record between good ones: its table's namespaces are flushed, then it is
	 * dead-lettered, and the records before and after it are applied; a flush after them would
	 * have removed their floors again.
	 */
	@Test
	void shouldFlushThenDeadLetterAnUnreadableRecordAndApplyTheRecordsAroundIt() throws Exception {
		String name = stoppedGroup();
		CacheKeys keys = new CacheKeys(name);
		TopicPartition partition = patientPartition(name);
		byte[] garbage = "{not json at all".getBytes(StandardCharsets.UTF_8);
		RecordMetadata unreadable;
		RecordMetadata last;
		long start;
		try (InvalidatorStack.Producer producer = new InvalidatorStack.Producer()) {
			start = producer.send(partition, "{\"id\":1}", patientUpdate(1, 3)).offset();
			producer.send(partition, "{\"id\":2}", patientUpdate(2, 4));
			unreadable = producer.send(partition, "{\"id\":9}", garbage);
			producer.send(partition, "{\"id\":3}", patientUpdate(3, 5));
			last = producer.send(partition, "{\"id\":4}", patientUpdate(4, 6));
		}
		String bystander = keys.patient(80);
		String otherNamespace = keys.formulary(1);
		InvalidatorStack.preset(REDIS, Map.of(bystander, "x", otherNamespace, "y"));
		Map<String, Object> atDeadLetter = new ConcurrentHashMap<>();
		InvalidationHooks hooks = new InvalidationHooks() {
			@Override
			public void beforeDeadLetter(String topic, int deadPartition, long offset) {
				atDeadLetter.put("offset", offset);
				atDeadLetter.put("bystander", BatchInvalidationIntegrationTests.this.redis.exists(bystander));
				atDeadLetter.put("floors", floors(keys, 1, 4));
				atDeadLetter.put("committed", committedOffset(name, partition));
			}
		};

		this.stack = new InvalidatorStack(REDIS, Map.of(), name, hooks);

		long end = last.offset() + 1;
		await().until(() -> this.stack.committedOffset(partition) == end);
		assertThat(atDeadLetter.get("offset")).isEqualTo(unreadable.offset());
		assertThat(atDeadLetter.get("bystander")).as("the namespace flushed before the dead letter").isEqualTo(0L);
		assertThat(atDeadLetter.get("floors")).as("the records before and after it applied after the flush")
			.isEqualTo(List.of("3", "4", "5", "6"));
		assertThat(atDeadLetter.get("committed")).as("nothing committed before the poll is done").isEqualTo(start);
		assertThat(this.redis.exists(otherNamespace)).as("other namespaces untouched").isEqualTo(1);
		List<ConsumerRecord<String, byte[]>> deadLetters = InvalidatorStack.awaitDeadLetters(this.stack.topics.deadLetter());
		assertThat(deadLetters).hasSize(1);
		assertThat(deadLetters.get(0).value()).isEqualTo(garbage);
		assertThat(new String(deadLetters.get(0).headers().lastHeader("kafka_dlt-exception-cause-fqcn").value()))
			.contains("MalformedChangeEventException");
		assertThat(this.stack.counter("freshline.dead.lettered")).isEqualTo(1);
		assertThat(this.stack.counter("freshline.namespace.flushes", "namespace", "patient", "reason", "unreadable"))
			.isEqualTo(1);
		assertThat(this.stack.counter("freshline.namespace.flushes", "reason", "change")).isZero();
	}

	/** A marker in the middle of a poll is recorded only once the changes before it are applied. */
	@Test
	void shouldRecordAMarkerInAPollOnlyAfterTheChangesBeforeIt() throws Exception {
		String name = stoppedGroup();
		CacheKeys keys = new CacheKeys(name);
		TopicPartition partition = patientPartition(name);
		Watermark watermark = new Watermark(Watermark.parseLsn("16/B374D848"), 1_700_000_000_123L);
		RecordMetadata marker;
		RecordMetadata last;
		try (InvalidatorStack.Producer producer = new InvalidatorStack.Producer()) {
			producer.send(partition, "{\"id\":1}", patientUpdate(1, 3));
			producer.send(partition, "{\"id\":2}", patientUpdate(2, 4));
			marker = producer.sendMarker(partition, watermark.encode());
			last = producer.send(partition, "{\"id\":3}", patientUpdate(3, 5));
		}
		InvalidatorStack.preset(REDIS, Map.of(keys.patient(1), "stale", keys.patient(2), "stale"));
		Map<String, Object> atMarker = new ConcurrentHashMap<>();
		InvalidationHooks hooks = new InvalidationHooks() {
			@Override
			public void beforeWatermark(String topic, int markerPartition, long offset) {
				atMarker.put("offset", offset);
				atMarker.put("cached", BatchInvalidationIntegrationTests.this.redis.exists(keys.patient(1), keys.patient(2)));
				atMarker.put("floors", floors(keys, 1, 2));
			}
		};

		this.stack = new InvalidatorStack(REDIS, Map.of(), name, hooks);

		long end = last.offset() + 1;
		await().until(() -> this.stack.committedOffset(partition) == end);
		assertThat(atMarker.get("offset")).isEqualTo(marker.offset());
		assertThat(atMarker.get("cached")).as("the changes before the marker deleted when it is recorded").isEqualTo(0L);
		assertThat(atMarker.get("floors")).isEqualTo(List.of("3", "4"));
		assertThat(this.redis.hget(keys.watermarks("patient"), String.valueOf(partition.partition())))
			.isEqualTo(watermark.encode());
	}

	/** A group that has run once (so every partition has an offset of its own) and is stopped now. */
	private static String stoppedGroup() {
		try (InvalidatorStack first = new InvalidatorStack(REDIS, Map.of())) {
			return first.name;
		}
	}

	private static TopicPartition patientPartition(String name) {
		return new TopicPartition(new dev.freshline.model.Topics(name).changes("patient"), 0);
	}

	private List<@Nullable String> floors(CacheKeys keys, long from, long to) {
		List<@Nullable String> floors = new ArrayList<>();
		for (long id = from; id <= to; id++) {
			floors.add(this.redis.get(keys.floor(keys.patient(id))));
		}
		return floors;
	}

	/** An update of a patient that stays in ward-a, as the connector publishes it. */
	private static String patientUpdate(long id, long version) {
		return "{\"before\":{\"id\":" + id + ",\"ward\":\"ward-a\",\"version\":" + (version - 1) + "},\"after\":{\"id\":"
				+ id + ",\"ward\":\"ward-a\",\"version\":" + version + "},\"source\":{\"table\":\"patient\",\"ts_ms\":"
				+ System.currentTimeMillis() + ",\"lsn\":1},\"op\":\"u\"}";
	}

	/** The group's committed offset, read from the hooks while the stack may still be starting. */
	private static long committedOffset(String name, TopicPartition partition) {
		try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
				SharedServers.get().kafka().bootstrapServers()))) {
			OffsetAndMetadata offset = admin.listConsumerGroupOffsets(name + "-invalidator")
				.partitionsToOffsetAndMetadata()
				.get(10, TimeUnit.SECONDS)
				.get(partition);
			return offset == null ? -1 : offset.offset();
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}

	/** Counts the deletes of each key. */
	private static final class Recorder implements InvalidationHooks {

		private final Map<String, AtomicInteger> deletes = new ConcurrentHashMap<>();

		@Override
		public void beforeDelete(String key) {
			this.deletes.computeIfAbsent(key, (k) -> new AtomicInteger()).incrementAndGet();
		}

		int deletes(String key) {
			AtomicInteger count = this.deletes.get(key);
			return (count != null) ? count.get() : 0;
		}
	}
}
