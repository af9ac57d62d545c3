package dev.freshline.ops.group;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.freshline.model.CommitMetadata;
import dev.freshline.ops.OpsFixture;
import dev.freshline.ops.OpsFixture.Run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** {@code ops reset-group} against the real shared Kafka. */
class ResetGroupCommandIntegrationTests {

	private final OpsFixture fixture = new OpsFixture();

	private final String group = this.fixture.group("live");

	private final Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);

	private String patients;

	@BeforeEach
	void fillTopics() {
		this.patients = this.fixture.changeTopic("patient");
		this.fixture.changeTopic("formulary_item");
		// partition 0: offsets 0..3, an hour apart, the last an hour ago
		for (int i = 0; i < 4; i++) {
			this.fixture.send(this.patients, 0, this.now.minus(4 - i, ChronoUnit.HOURS).toEpochMilli(), "k",
					OpsFixture.patientChange("u", i + 1, "ward-a", "ward-a", 2).getBytes(StandardCharsets.UTF_8));
		}
		this.fixture.commit(this.group, this.patients, 0);
		commit(this.patients, 0, 4);
	}

	@AfterEach
	void cleanUp() {
		this.fixture.close();
	}

	@Test
	void shouldShowTheMoveAndChangeNothingWithoutExecute() {
		Map<TopicPartition, Long> before = this.fixture.committed(this.group);

		Run run = this.fixture.ops("reset-group", "--group", this.group, "--to-offset", "earliest");

		assertThat(run.exitCode()).as(run.err()).isZero();
		assertThat(run.out()).containsPattern(this.patients + "-0 +4 +0 +0 +4 +-4")
			.containsPattern(this.fixture.topics.changes("formulary_item") + "-0 +- +0 +0 +0 +new")
			.contains("Dry run: nothing was changed. Add --execute to move the group.");
		assertThat(this.fixture.committed(this.group)).isEqualTo(before);
	}

	@Test
	void shouldMoveTheGroupToTheFirstRecordAtOrAfterATime() {
		Run run = this.fixture.ops("reset-group", "--group", this.group, "--table", "patient", "--to-time",
				this.now.minus(150, ChronoUnit.MINUTES).toString(), "--execute");

		assertThat(run.exitCode()).as(run.err()).isZero();
		assertThat(run.out()).containsPattern(this.patients + "-0 +4 +2 +0 +4 +-2").contains("Moved.");
		assertThat(this.fixture.committed(this.group)).containsEntry(new TopicPartition(this.patients, 0), 2L)
			.containsEntry(new TopicPartition(this.patients, 1), 0L)
			.doesNotContainKey(new TopicPartition(this.fixture.topics.changes("formulary_item"), 0));
	}

	@Test
	void shouldRefuseToMoveAGroupWithActiveMembers() {
		Map<TopicPartition, Long> before = this.fixture.committed(this.group);
		try (KafkaConsumer<byte[], byte[]> member = member()) {
			member.subscribe(List.of(this.patients));
			await().atMost(Duration.ofSeconds(30)).until(() -> {
				member.poll(Duration.ofMillis(100));
				return !member.assignment().isEmpty();
			});

			Run run = this.fixture.ops("reset-group", "--group", this.group, "--to-offset", "earliest", "--execute");

			assertThat(run.exitCode()).isEqualTo(2);
			assertThat(run.err()).startsWith("ops reset-group: group " + this.group + " has 1 active member(s) (")
				.contains("stop the invalidators first")
				.hasLineCount(1);
		}
		assertThat(this.fixture.committed(this.group)).isEqualTo(before);
	}

	@Test
	void shouldRefuseBadInputAndChangeNothing() {
		Map<TopicPartition, Long> before = this.fixture.committed(this.group);
		String tomorrow = this.now.plus(1, ChronoUnit.DAYS).toString();

		Run malformed = this.fixture.ops("reset-group", "--group", this.group, "--to-offset", "1O", "--execute");
		Run future = this.fixture.ops("reset-group", "--group", this.group, "--to-time", tomorrow, "--execute");
		Run pastEnd = this.fixture.ops("reset-group", "--group", this.group, "--table", "patient", "--to-offset", "9",
				"--execute");
		Run table = this.fixture.ops("reset-group", "--group", this.group, "--table", "nurse", "--to-offset", "0",
				"--execute");

		assertThat(malformed.exitCode()).isEqualTo(2);
		assertThat(malformed.err()).startsWith("ops reset-group: malformed --to-offset '1O'").hasLineCount(1);
		assertThat(future.exitCode()).isEqualTo(2);
		assertThat(future.err()).startsWith("ops reset-group: --to-time " + tomorrow + " is in the future").hasLineCount(1);
		assertThat(pastEnd.exitCode()).isEqualTo(2);
		assertThat(pastEnd.err()).startsWith("ops reset-group: --to-offset offset 9 is past the end of " + this.patients + "-0")
			.hasLineCount(1);
		assertThat(table.exitCode()).isEqualTo(2);
		assertThat(table.err()).startsWith("ops reset-group: unknown table 'nurse'").hasLineCount(1);
		assertThat(this.fixture.committed(this.group)).isEqualTo(before);
	}

	/**
	 * A group behind its log (committed at 4, three records after it, 30, 20 and 10 minutes old):
	 * moving it forward past them would leave what they changed stale. Refused, by offset or by
	 * time, and the dry run says so.
	 */
	@ParameterizedTest(name = "{0} {1}")
	@CsvSource({ "--to-offset, latest, 3", "--to-time, PT15M, 2" })
	void shouldRefuseToSkipRecordsTheGroupHasNotAppliedWithoutAllowSkip(String option, String target, long skipped) {
		appendUnapplied();
		Map<TopicPartition, Long> before = this.fixture.committed(this.group);

		Run dryRun = this.fixture.ops("reset-group", "--group", this.group, "--table", "patient", option, target);
		Run run = this.fixture.ops("reset-group", "--group", this.group, "--table", "patient", option, target, "--execute");

		assertThat(dryRun.exitCode()).as(dryRun.err()).isZero();
		assertThat(dryRun.out()).contains("Moving forward skips " + skipped + " record(s) on " + this.patients + "-0")
			.contains("--execute will be refused without --allow-skip.");
		assertThat(run.exitCode()).isEqualTo(2);
		assertThat(run.err()).startsWith("ops reset-group: moving group " + this.group + " forward skips " + skipped
				+ " record(s) on " + this.patients + "-0 (" + skipped + ")")
			.contains("add --allow-skip to flush namespaces [patient, ward] first")
			.hasLineCount(1);
		assertThat(this.fixture.committed(this.group)).isEqualTo(before);
	}

	/**
	 * With --allow-skip the skipped table's namespaces are flushed before the move (another
	 * table's are left alone), and the new offset carries the skip for the invalidator.
	 */
	@Test
	void shouldFlushTheSkippedTablesNamespacesThenMoveAndMarkTheSkip() throws Exception {
		appendUnapplied();
		// partition 1 as if the group never committed there
		this.fixture.admin.deleteConsumerGroupOffsets(this.group, Set.of(new TopicPartition(this.patients, 1))).all().get();
		String patient = this.fixture.keys.patient(7);
		String formulary = this.fixture.keys.formulary(1);
		this.fixture.redis.opsForValue().set(patient, "stale: its change is skipped");
		this.fixture.redis.opsForValue().set(formulary, "not the moved table's");

		Run run = this.fixture.ops("reset-group", "--group", this.group, "--table", "patient", "--to-offset", "latest",
				"--allow-skip", "--execute");

		assertThat(run.exitCode()).as(run.err()).isZero();
		assertThat(run.out()).contains("Flushing namespace patient").contains("Moved.");
		assertThat(this.fixture.redis.hasKey(patient)).as("the skipped table's namespace flushed").isFalse();
		assertThat(this.fixture.redis.hasKey(formulary)).as("another table's namespace kept").isTrue();
		Map<TopicPartition, OffsetAndMetadata> committed = this.fixture.admin.listConsumerGroupOffsets(this.group)
			.partitionsToOffsetAndMetadata()
			.get();
		OffsetAndMetadata moved = committed.get(new TopicPartition(this.patients, 0));
		assertThat(moved.offset()).isEqualTo(7);
		assertThat(CommitMetadata.parse(moved.metadata()).skipped()).isEqualTo(3);
		assertThat(CommitMetadata.parse(moved.metadata()).topicIds()).hasSize(1);
		assertThat(CommitMetadata.parse(committed.get(new TopicPartition(this.patients, 1)).metadata()).knowsTopics())
			.as("a partition the group had no offset for vouches for nothing")
			.isFalse();
	}

	/** Three records after the group's committed offset 4, 30, 20 and 10 minutes old. */
	private void appendUnapplied() {
		for (int minutes = 30; minutes > 0; minutes -= 10) {
			this.fixture.send(this.patients, 0, this.now.minus(minutes, ChronoUnit.MINUTES).toEpochMilli(), "k",
					OpsFixture.patientChange("u", 7, "ward-a", "ward-a", 2).getBytes(StandardCharsets.UTF_8));
		}
	}

	private void commit(String topic, int partition, long offset) {
		try {
			this.fixture.admin
				.alterConsumerGroupOffsets(this.group,
						Map.of(new TopicPartition(topic, partition), new OffsetAndMetadata(offset)))
				.all()
				.get();
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}

	private KafkaConsumer<byte[], byte[]> member() {
		return new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, this.fixture.kafka.bootstrapServers(),
				ConsumerConfig.GROUP_ID_CONFIG, this.group, ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false),
				new ByteArrayDeserializer(), new ByteArrayDeserializer());
	}
}
