package dev.freshline.ops.replay;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;

import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ValueSource;

import dev.freshline.embedded.SharedServers;
import dev.freshline.model.Invalidation;
import dev.freshline.model.Watermark;
import dev.freshline.ops.OpsFixture;
import dev.freshline.ops.OpsFixture.Run;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code ops replay} against the real shared Kafka and Redis, a single server and a cluster. */
@ParameterizedClass(name = "cluster={0}")
@ValueSource(booleans = { false, true })
class ReplayCommandIntegrationTests {

	private final OpsFixture fixture;

	private final String liveGroup = SharedServers.uniqueName("live");

	ReplayCommandIntegrationTests(boolean cluster) {
		this.fixture = new OpsFixture(cluster);
	}

	@AfterEach
	void cleanUp() {
		this.fixture.close();
	}

	@Test
	void shouldReapplyEveryChangeFromEarliestWithoutMovingTheLiveGroup() {
		String topic = this.fixture.changeTopic("patient");
		this.fixture.send(topic, 0, OpsFixture.patientChange("u", 1, "ward-a", "ward-b", 7));
		this.fixture.send(topic, 1, OpsFixture.patientChange("u", 2, "ward-a", "ward-a", 3));
		this.fixture.send(topic, 2, OpsFixture.patientChange("d", 3, "ward-c", null, 4));
		this.fixture.send(topic, 2, null, "k", null);
		this.fixture.commit(this.liveGroup, topic, 1);
		Map<TopicPartition, Long> live = this.fixture.committed(this.liveGroup);
		cache("patient:{1}", "patient:{2}", "patient:{3}", "patient:{99}", "ward:{ward-a}", "ward:{ward-b}",
				"ward:{ward-c}", "ward:{ward-z}");

		Run run = this.fixture.ops("replay", "--table", "patient", "--from", "earliest");

		assertThat(run.exitCode()).as(run.err()).isZero();
		assertThat(this.fixture.redisKeys()).containsOnly(key("patient:{99}"), key("ward:{ward-z}"),
				key("patient:{1}") + ":floor", key("patient:{2}") + ":floor", key("patient:{3}") + ":floor");
		assertThat(this.fixture.redis.opsForValue().get(key("patient:{1}") + ":floor")).isEqualTo("7");
		assertThat(this.fixture.redis.opsForValue().get(key("patient:{3}") + ":floor"))
			.isEqualTo(Long.toString(Invalidation.DELETED));
		assertThat(run.out()).containsPattern("events\\s+4").containsPattern("tombstones\\s+1")
			.containsPattern("patient\\s+3").containsPattern("ward\\s+3");
		assertThat(this.fixture.committed(this.liveGroup)).isEqualTo(live);
	}

	@Test
	void shouldPrintEventsAndDistinctKeysAndChangeNothingOnADryRun() {
		String topic = this.fixture.changeTopic("patient");
		for (int id = 1; id <= 5; id++) {
			this.fixture.send(topic, id % 3, OpsFixture.patientChange("u", id, "ward-a", "ward-a", 2));
		}
		this.fixture.send(topic, 0, OpsFixture.patientChange("u", 1, "ward-a", "ward-b", 3));
		cache("patient:{1}", "patient:{2}", "ward:{ward-a}");
		Map<String, String> before = this.fixture.snapshot();

		Run run = this.fixture.ops("replay", "--topic", topic, "--from", "0", "--dry-run", "--show", "2");

		assertThat(run.exitCode()).as(run.err()).isZero();
		assertThat(this.fixture.snapshot()).isEqualTo(before);
		assertThat(run.out()).contains("dry run: nothing is changed")
			.containsPattern("patient\\s+5")
			.containsPattern("ward\\s+2")
			.containsPattern("events\\s+6")
			.contains("Dry run: nothing was changed.");
		assertThat(run.out().lines().filter((line) -> line.startsWith("  " + topic + "-"))).hasSize(2);
	}

	@Test
	void shouldReplayOnlyRecordsBetweenFromAndToTimes() {
		String topic = this.fixture.changeTopic("patient");
		Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
		send(topic, now.minus(3, ChronoUnit.HOURS), 1);
		send(topic, now.minus(2, ChronoUnit.HOURS), 2);
		send(topic, now.minus(1, ChronoUnit.HOURS), 3);
		cache("patient:{1}", "patient:{2}", "patient:{3}");

		Run run = this.fixture.ops("replay", "--table", "patient", "--from", now.minus(150, ChronoUnit.MINUTES).toString(),
				"--to", "PT90M");

		assertThat(run.exitCode()).as(run.err()).isZero();
		assertThat(this.fixture.redis.hasKey(key("patient:{1}"))).isTrue();
		assertThat(this.fixture.redis.hasKey(key("patient:{2}"))).isFalse();
		assertThat(this.fixture.redis.hasKey(key("patient:{3}"))).isTrue();
	}

	@Test
	void shouldFlushTheTablesNamespacesForAnUnreadableRecordAndSayWhere() {
		String topic = this.fixture.changeTopic("patient");
		this.fixture.send(topic, 1, "{not json");
		cache("patient:{5}", "ward:{ward-x}");

		Run run = this.fixture.ops("replay", "--table", "patient", "--from", "earliest");

		assertThat(run.exitCode()).isEqualTo(1);
		assertThat(run.err()).contains(topic + "-1@0: unreadable").contains("flushing [patient, ward]");
		assertThat(run.out()).containsPattern("unreadable\\s+1");
		assertThat(this.fixture.redisKeys()).isEmpty();
	}

	/**
	 * Watermark markers between changes, one of them unreadable: they are counted as markers, never
	 * as unreadable records, and cause no invalidation and no flush.
	 */
	@Test
	void shouldSkipWatermarkMarkersWithoutInvalidatingOrFlushing() {
		String topic = this.fixture.changeTopic("patient");
		this.fixture.send(topic, 0, OpsFixture.patientChange("u", 1, "ward-a", "ward-a", 2));
		this.fixture.sendMarker(topic, 0, new Watermark(Watermark.parseLsn("0/16B3748"), 1L).encode());
		this.fixture.sendMarker(topic, 1, new Watermark(Watermark.parseLsn("0/16B3748"), 1L).encode());
		this.fixture.sendMarker(topic, 2, "not a watermark");
		cache("patient:{1}", "patient:{99}", "ward:{ward-a}", "ward:{ward-z}");

		Run run = this.fixture.ops("replay", "--table", "patient", "--from", "earliest");

		assertThat(run.exitCode()).as(run.err()).isZero();
		assertThat(run.err()).doesNotContain("unreadable");
		assertThat(run.out()).containsPattern("events\\s+4")
			.containsPattern("watermark markers\\s+3")
			.containsPattern("unreadable\\s+0\\n")
			.containsPattern("patient\\s+1\\n")
			.containsPattern("ward\\s+1\\n");
		assertThat(this.fixture.redisKeys()).as("only the change's keys went; no flush")
			.containsOnly(key("patient:{99}"), key("ward:{ward-z}"), key("patient:{1}") + ":floor");
	}

	@Test
	void shouldFlushTheNamespacesOfATruncatedTable() {
		String topic = this.fixture.changeTopic("patient");
		this.fixture.send(topic, 0, "{\"before\":null,\"after\":null,\"source\":{\"table\":\"patient\"},\"op\":\"t\"}");
		cache("patient:{1}", "patient:{2}", "ward:{ward-a}", "formulary:{1}");

		Run run = this.fixture.ops("replay", "--table", "patient", "--from", "earliest");

		assertThat(run.exitCode()).as(run.err()).isZero();
		assertThat(run.out()).containsPattern("namespaces flushed\\s+\\[patient, ward\\] \\(TRUNCATE of patient\\)");
		assertThat(this.fixture.redisKeys()).containsExactly(key("formulary:{1}"));
	}

	@Test
	void shouldRefuseAnUnknownTableAndChangeNothing() {
		this.fixture.changeTopic("patient");
		cache("patient:{1}");
		Map<String, String> before = this.fixture.snapshot();

		Run run = this.fixture.ops("replay", "--table", "nurse", "--from", "earliest");

		assertThat(run.exitCode()).isEqualTo(2);
		assertThat(run.err().strip()).isEqualTo(
				"ops replay: unknown table 'nurse': the rules (classpath:freshline-rules.yml) declare formulary_item, patient");
		assertThat(this.fixture.snapshot()).isEqualTo(before);
	}

	@Test
	void shouldRefuseAMalformedOffsetAndChangeNothing() {
		String topic = this.fixture.changeTopic("patient");
		this.fixture.send(topic, 0, OpsFixture.patientChange("u", 1, "ward-a", "ward-a", 2));
		cache("patient:{1}");
		Map<String, String> before = this.fixture.snapshot();

		Run run = this.fixture.ops("replay", "--table", "patient", "--from", "12abc");

		assertThat(run.exitCode()).isEqualTo(2);
		assertThat(run.err()).startsWith("ops replay: malformed --from '12abc': expected an offset").hasLineCount(1);
		assertThat(this.fixture.snapshot()).isEqualTo(before);
	}

	@Test
	void shouldRefuseATimeInTheFutureAndChangeNothing() {
		String topic = this.fixture.changeTopic("patient");
		this.fixture.send(topic, 0, OpsFixture.patientChange("u", 1, "ward-a", "ward-a", 2));
		cache("patient:{1}");
		Map<String, String> before = this.fixture.snapshot();
		String tomorrow = Instant.now().plus(1, ChronoUnit.DAYS).toString();

		Run run = this.fixture.ops("replay", "--table", "patient", "--from", tomorrow);

		assertThat(run.exitCode()).isEqualTo(2);
		assertThat(run.err()).startsWith("ops replay: --from " + tomorrow + " is in the future").hasLineCount(1);
		assertThat(this.fixture.snapshot()).isEqualTo(before);
	}

	@Test
	void shouldRefuseATimeOrOffsetBeforeWhatRetentionKeptAndChangeNothing() throws Exception {
		String topic = this.fixture.changeTopic("patient");
		Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
		send(topic, now.minus(3, ChronoUnit.HOURS), 1);
		send(topic, now.minus(2, ChronoUnit.HOURS), 2);
		send(topic, now.minus(1, ChronoUnit.HOURS), 3);
		// what retention does to old segments: the partition's log now starts at offset 1
		this.fixture.admin.deleteRecords(Map.of(new TopicPartition(topic, 0), RecordsToDelete.beforeOffset(1)))
			.all()
			.get();
		cache("patient:{1}", "patient:{2}", "patient:{3}");
		Map<String, String> before = this.fixture.snapshot();

		Run byTime = this.fixture.ops("replay", "--table", "patient", "--from", "PT4H");
		Run byOffset = this.fixture.ops("replay", "--table", "patient", "--from", "0");

		assertThat(byTime.exitCode()).isEqualTo(2);
		assertThat(byTime.err()).contains("is before the start of " + topic + "-0 (first retained record at "
				+ now.minus(2, ChronoUnit.HOURS) + ")").hasLineCount(1);
		assertThat(byOffset.exitCode()).isEqualTo(2);
		assertThat(byOffset.err()).contains("offset 0 is before the start of " + topic + "-0 (first retained offset 1)")
			.hasLineCount(1);
		assertThat(this.fixture.snapshot()).isEqualTo(before);
	}

	@Test
	void shouldRefuseATopicThatDoesNotExist() {
		Run run = this.fixture.ops("replay", "--table", "patient", "--from", "earliest");

		assertThat(run.exitCode()).isEqualTo(2);
		assertThat(run.err().strip())
			.isEqualTo("ops replay: topic " + this.fixture.topics.changes("patient") + " does not exist");
	}

	private void send(String topic, Instant at, long id) {
		this.fixture.send(topic, 0, at.toEpochMilli(), "k",
				OpsFixture.patientChange("u", id, "ward-a", "ward-a", 2).getBytes(StandardCharsets.UTF_8));
	}

	private void cache(String... entries) {
		for (String entry : entries) {
			this.fixture.redis.opsForValue().set(key(entry), "cached");
		}
	}

	private String key(String entry) {
		return this.fixture.keys.prefix() + ":" + entry;
	}
}
