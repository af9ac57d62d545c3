package dev.freshline.invalidator.invalidation;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.lettuce.core.protocol.CommandType;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.freshline.embedded.RedisServer;
import dev.freshline.embedded.SharedServers;
import dev.freshline.model.CacheKeys;
import dev.freshline.model.CommitMetadata;

import static org.assertj.core.api.Assertions.assertThat;
import static dev.freshline.invalidator.invalidation.Waits.await;

/**
 * The offset guard against a real broker and a real Redis: records the group never applied are
 * flushed for, not skipped, even when Redis refuses the flush for a while.
 *
 * <p>Redis "fails" here by refusing the invalidator's commands (an ACL that denies its scripts,
 * SCAN and UNLINK) rather than by stopping: an embedded Redis restarts empty, which would hide
 * whether a flush ever happened, while a refusing Redis keeps its data and logs each refused
 * command (ACL LOG), so a test can wait for the exact attempt it needs instead of for time.
 */
class OffsetGuardIntegrationTests {

	private static final CommandType[] INVALIDATOR_COMMANDS = { CommandType.EVALSHA, CommandType.EVAL,
			CommandType.SCAN, CommandType.UNLINK };

	private InvalidatorStack stack;

	@AfterEach
	void stop() {
		if (this.stack != null) {
			this.stack.close();
		}
	}

	/**
	 * Retention deletes records during a Redis outage, the consumer resets past them, and the
	 * flush the gap calls for is refused; once Redis is back, the gap must still be flushed. With
	 * 2 deleted (the record being retried and the one after it) the reset jumps past it; with 1
	 * (exactly the record being retried) the reset lands on the very next offset, which is no gap
	 * if the record counted as seen when it was delivered rather than when it was applied.
	 */
	@ParameterizedTest(name = "{0} record(s) deleted by retention")
	@ValueSource(ints = { 2, 1 })
	void shouldFlushAForwardGapWhoseFirstFlushRedisRefused(int deletedByRetention) throws Exception {
		try (RedisServer redis = RedisServer.start()) {
			Outage outage = fallBehindRetentionDuringAnOutage(redis, deletedByRetention);

			// the gap's flush reached Redis and was refused; only then does Redis come back
			await("the gap's flush refused by Redis").until(() -> this.stack.refused("scan"));
			this.stack.allow(INVALIDATOR_COMMANDS);

			assertGapFlushedOnceAndApplied(outage);
		}
	}

	/**
	 * Negative control: an outage that retention does not overtake flushes nothing; the retried
	 * record is applied once Redis is back.
	 */
	@Test
	void shouldApplyTheRetriedRecordWithoutFlushingWhenNothingWasDeleted() throws Exception {
		try (RedisServer redis = RedisServer.start()) {
			Outage outage = fallBehindRetentionDuringAnOutage(redis, 0);

			this.stack.allow(INVALIDATOR_COMMANDS);

			await().until(() -> this.stack.committedOffset(outage.partition()) == outage.kept().offset() + 1);
			assertThat(this.stack.redis().exists(outage.bystander())).as("nothing flushed").isEqualTo(1);
			assertThat(this.stack.refused("scan")).as("no flush was attempted").isFalse();
			assertThat(this.stack.counter("freshline.offset.resets")).isEqualTo(outage.resetsBefore());
		}
	}

	/**
	 * A change topic deleted and recreated while the group was away, with as
	 * many records on each partition as the group's committed offset, so every offset is inside
	 * the new log. The group must notice by the topic's id, flush, and read the new topic from
	 * its start.
	 */
	@Test
	void shouldFlushAndStartFromTheEarliestRecordWhenTheTopicWasRecreated() throws Exception {
		Applied applied = applyOneChangeAndStop();
		String name = applied.name();
		String topic = applied.topic();
		TopicPartition partition = applied.partition();

		Map<TopicPartition, OffsetAndMetadata> committed = committedOffsets(name + "-invalidator", topic);
		String bystander = new CacheKeys(name).patient(81);
		try (Admin admin = admin(); InvalidatorStack.Producer producer = new InvalidatorStack.Producer()) {
			admin.deleteTopics(List.of(topic)).all().get(10, TimeUnit.SECONDS);
			await("the topic recreated").ignoreExceptions()
				.until(() -> admin.createTopics(List.of(new NewTopic(topic, committed.size(), (short) 1)))
					.all()
					.get(10, TimeUnit.SECONDS) == null);
			// the new topic's first record changes a cached patient; the group's offset is past it
			producer.send(partition, "{\"id\":81}", InvalidatorStack.patientChange("u", 81L, 81L));
			// the broker drops a deleted topic's offsets; a consumer that missed the deletion
			// commits its position again (what this puts back), and the offsets stay inside the log
			admin.alterConsumerGroupOffsets(name + "-invalidator", committed).all().get(10, TimeUnit.SECONDS);
		}
		InvalidatorStack.preset(SharedServers.get().redis(), Map.of(bystander, "stale: its change was skipped"));

		this.stack = new InvalidatorStack(SharedServers.get().redis(), Map.of(), name);

		await().untilAsserted(() -> assertThat(this.stack.redis().exists(bystander))
			.as("the recreated topic's namespace was flushed")
			.isZero());
		assertThat(this.stack.counter("freshline.offset.resets")).as("each partition of the topic")
			.isEqualTo(committed.size());
		await().until(() -> this.stack.committedOffset(partition) == applied.offset() + 1);
	}

	/**
	 * Negative control: a restart of a group whose commits name the topic it reads flushes
	 * nothing.
	 */
	@Test
	void shouldNotFlushWhenTheGroupRestartsOnTheSameTopic() throws Exception {
		Applied applied = applyOneChangeAndStop();
		String name = applied.name();
		String topic = applied.topic();
		TopicPartition partition = applied.partition();
		String bystander = new CacheKeys(name).patient(81);
		InvalidatorStack.preset(SharedServers.get().redis(), Map.of(bystander, "fresh"));

		this.stack = new InvalidatorStack(SharedServers.get().redis(), Map.of(), name);
		RecordMetadata next = this.stack.send(topic, "{\"id\":5}", InvalidatorStack.patientChange("u", 5L, 5L));

		await().until(() -> this.stack.committedOffset(partition) == next.offset() + 1);
		assertThat(this.stack.redis().exists(bystander)).isEqualTo(1);
		assertThat(this.stack.counter("freshline.offset.resets")).isZero();
	}


	/**
	 * A group moved forward past a change it never applied, while its invalidator was stopped:
	 * by {@code ops reset-group --allow-skip} (which marks the skip) or by Kafka's own reset tool
	 * (which writes no metadata). Either offset is inside the log, but the invalidator did not
	 * commit it: it must flush the table's namespaces before reading from it, and read on from
	 * there.
	 */
	@ParameterizedTest(name = "moved by {0}")
	@ValueSource(strings = { "ops reset-group --allow-skip", "kafka-consumer-groups --reset-offsets" })
	void shouldFlushBeforeReadingFromAnOffsetMovedPastUnappliedChanges(String mover) throws Exception {
		Applied applied = applyOneChangeAndStop();
		String group = applied.name() + "-invalidator";
		TopicPartition partition = applied.partition();
		OffsetAndMetadata committed = committedOffsets(group, applied.topic()).get(partition);
		String bystander = new CacheKeys(applied.name()).patient(82);
		try (Admin admin = admin(); InvalidatorStack.Producer producer = new InvalidatorStack.Producer()) {
			// a change of patient 82, never applied: the move jumps over it
			RecordMetadata skipped = producer.send(partition, "{\"id\":82}", InvalidatorStack.patientChange("u", 82L, 82L));
			String metadata = mover.startsWith("ops")
					? new CommitMetadata(CommitMetadata.parse(committed.metadata()).topicIds(), 1).encode() : "";
			admin.alterConsumerGroupOffsets(group, Map.of(partition, new OffsetAndMetadata(skipped.offset() + 1, metadata)))
				.all()
				.get(10, TimeUnit.SECONDS);
		}
		InvalidatorStack.preset(SharedServers.get().redis(), Map.of(bystander, "stale: its change was skipped"));

		this.stack = new InvalidatorStack(SharedServers.get().redis(), Map.of(), applied.name());

		await().untilAsserted(() -> assertThat(this.stack.redis().exists(bystander))
			.as("the skipped change's namespace was flushed")
			.isZero());
		assertThat(this.stack.counter("freshline.offset.resets")).isEqualTo(1);
		RecordMetadata next = this.stack.send(applied.topic(), "{\"id\":5}", InvalidatorStack.patientChange("u", 5L, 5L));
		await().until(() -> this.stack.committedOffset(partition) == next.offset() + 1);
		assertThat(CommitMetadata.parse(committedOffsets(group, applied.topic()).get(partition).metadata()).recordsSkip())
			.as("the skip is reported once: the group's own commit replaces its marker")
			.isFalse();
	}


	/**
	 * A rebalance while a record is being retried (Redis refusing the invalidator's scripts): the
	 * consumer that gives partitions up commits only what it applied, never the record in flight,
	 * and whichever consumer owns its partition afterwards applies it once Redis is back.
	 */
	@Test
	void shouldNotCommitTheRecordInFlightWhenTheGroupRebalances() throws Exception {
		try (RedisServer redis = RedisServer.start()) {
			this.stack = new InvalidatorStack(redis, InvalidatorStack.RETRY_FAST);
			String topic = this.stack.topics.changes("patient");
			RecordMetadata applied = this.stack.send(topic, "{\"id\":5}", InvalidatorStack.patientChange("u", 5L, 5L));
			TopicPartition partition = new TopicPartition(topic, applied.partition());
			await().until(() -> this.stack.committedOffset(partition) == applied.offset() + 1);
			String key = this.stack.keys.patient(5);
			this.stack.refuse(INVALIDATOR_COMMANDS);
			RecordMetadata inFlight = this.stack.send(topic, "{\"id\":5}", InvalidatorStack.patientChange("u", 5L, 5L));
			double failures = this.stack.counter("freshline.invalidator.failures");
			await("the record retried").until(() -> this.stack.counter("freshline.invalidator.failures") >= failures + 3);
			this.stack.redis().set(key, "stale until the record in flight is applied");

			try (InvalidatorStack second = new InvalidatorStack(redis, InvalidatorStack.RETRY_FAST, this.stack.name)) {
				await("both instances own partitions").until(() -> membersOwningPartitions(this.stack.groupId()) == 2);
				assertThat(this.stack.committedOffset(partition)).as("nothing committed past the record in flight")
					.isEqualTo(inFlight.offset());
				assertThat(this.stack.redis().exists(key)).isEqualTo(1);

				this.stack.allow(INVALIDATOR_COMMANDS);

				await().until(() -> this.stack.committedOffset(partition) == inFlight.offset() + 1);
				assertThat(this.stack.redis().exists(key)).as("the record in flight applied after the rebalance").isZero();
			}
		}
	}

	private static long membersOwningPartitions(String group) throws Exception {
		try (Admin admin = admin()) {
			return admin.describeConsumerGroups(List.of(group))
				.describedGroups()
				.get(group)
				.get(10, TimeUnit.SECONDS)
				.members()
				.stream()
				.filter((member) -> !member.assignment().topicPartitions().isEmpty())
				.count();
		}
	}

	/** A group with one applied change on the patient topic, its invalidator stopped. */
	private Applied applyOneChangeAndStop() throws Exception {
		this.stack = new InvalidatorStack(SharedServers.get().redis(), Map.of());
		String topic = this.stack.topics.changes("patient");
		RecordMetadata applied = this.stack.send(topic, "{\"id\":5}", InvalidatorStack.patientChange("u", 5L, 5L));
		TopicPartition partition = new TopicPartition(topic, applied.partition());
		await().until(() -> this.stack.committedOffset(partition) == applied.offset() + 1);
		String name = this.stack.name;
		this.stack.close();
		this.stack = null;
		return new Applied(name, topic, partition, applied.offset());
	}

	private record Applied(String name, String topic, TopicPartition partition, long offset) {
	}
	private void assertGapFlushedOnceAndApplied(Outage outage) throws Exception {
		await().until(() -> this.stack.committedOffset(outage.partition()) == outage.kept().offset() + 1);
		assertThat(this.stack.redis().exists(outage.bystander())).as("the skipped changes' namespace was flushed")
			.isZero();
		assertThat(this.stack.counter("freshline.offset.resets")).as("counted once, when it succeeded")
			.isEqualTo(outage.resetsBefore() + 1);
	}
	private static Map<TopicPartition, OffsetAndMetadata> committedOffsets(String group, String topic) throws Exception {
		try (Admin admin = admin()) {
			Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
			admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS)
				.forEach((partition, offset) -> {
					if (partition.topic().equals(topic)) {
						offsets.put(partition, offset);
					}
				});
			return offsets;
		}
	}

	private static Admin admin() {
		return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, SharedServers.get().kafka().bootstrapServers()));
	}

	/**
	 * Applies a first record, then makes Redis refuse the invalidator and sends a record, which is
	 * retried; then sends {@code deleted} more and deletes {@code deleted} records from the
	 * retried one on, as retention would while the outage lasts.
	 */
	private Outage fallBehindRetentionDuringAnOutage(RedisServer redis, int deleted) throws Exception {
		this.stack = new InvalidatorStack(redis, InvalidatorStack.RETRY_FAST);
		String topic = this.stack.topics.changes("patient");
		RecordMetadata applied = this.stack.send(topic, "{\"id\":5}", InvalidatorStack.patientChange("u", 5L, 5L));
		TopicPartition partition = new TopicPartition(topic, applied.partition());
		await().until(() -> this.stack.committedOffset(partition) == applied.offset() + 1);
		double resetsBefore = this.stack.counter("freshline.offset.resets");
		String bystander = this.stack.keys.patient(80);
		this.stack.redis().set(bystander, "stale if a change of the patient table is skipped");

		this.stack.refuse(INVALIDATOR_COMMANDS);
		RecordMetadata retried = this.stack.send(topic, "{\"id\":5}", InvalidatorStack.patientChange("u", 5L, 5L));
		double failures = this.stack.counter("freshline.invalidator.failures");
		await("the record retried").until(() -> this.stack.counter("freshline.invalidator.failures") >= failures + 3);
		RecordMetadata kept = retried;
		for (int i = 0; i < deleted; i++) {
			kept = this.stack.send(topic, "{\"id\":5}", InvalidatorStack.patientChange("u", 5L, 5L));
		}
		assertThat(kept.partition()).isEqualTo(partition.partition());
		if (deleted > 0) {
			try (InvalidatorStack.Producer producer = new InvalidatorStack.Producer()) {
				producer.deleteRecordsBefore(partition, kept.offset());
			}
		}
		assertThat(this.stack.redis().exists(bystander)).isEqualTo(1);
		return new Outage(partition, kept, bystander, resetsBefore);
	}

	/** Where an outage left the partition: the record that must end applied, and a key a flush removes. */
	private record Outage(TopicPartition partition, RecordMetadata kept, String bystander, double resetsBefore) {
	}
}
