package dev.freshline.ops.dlt;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ExecutionException;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.freshline.model.Watermark;
import dev.freshline.ops.OpsFixture;
import dev.freshline.ops.OpsFixture.Run;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code ops dlt list|redrive} against the real shared Kafka and Redis, with records dead-lettered as spring-kafka does. */
class DltCommandIntegrationTests {

	private final OpsFixture fixture = new OpsFixture();

	private final String group = this.fixture.group("redrive");

	private String dlt;

	@TempDir
	Path directory;

	@BeforeEach
	void createDeadLetterTopic() {
		// as the invalidator declares it: one partition
		this.dlt = this.fixture.createTopic(this.fixture.topics.deadLetter(), 1);
	}

	@AfterEach
	void cleanUp() {
		this.fixture.close();
	}

	@Test
	void shouldListOriginAndExceptionButNeverThePayload() throws Exception {
		// as spring-kafka records a listener's failure: the wrapper's class and message, the cause's class
		deadLetter("patient", 2, 17, "{\"op\":\"u\",\"secret\":\"Jane Doe\"}",
				"org.springframework.kafka.listener.ListenerExecutionFailedException",
				"Listener method 'void a.B.onChange(org.apache.kafka.clients.consumer.ConsumerRecord<java.lang.String, byte[]>)' "
						+ "threw exception; change record lacks 'op' or 'source.table'",
				new RecordHeader("kafka_dlt-exception-cause-fqcn", bytes("dev.freshline.model.MalformedChangeEventException")));

		Run run = this.fixture.ops("dlt", "list", "--group", this.group);

		assertThat(run.exitCode()).as(run.err()).isZero();
		assertThat(run.out()).contains(this.dlt + ": 1 records retained, 1 from earliest; redrive group " + this.group
				+ " at nothing yet")
			.containsPattern("0@0 .* " + this.fixture.topics.changes("patient") + "-2@17 +MalformedChangeEventException +\\d+ +no +"
					+ "change record lacks 'op' or 'source.table'")
			.doesNotContain("Jane Doe");
	}

	@Test
	void shouldRedriveWhatNowSucceedsAndKeepWhatStillFailsForTheNextRedrive() throws Exception {
		deadLetter("patient", 0, 5, OpsFixture.patientChange("u", 1, "ward-a", "ward-b", 4), "dev.freshline.cache.X", "timeout");
		deadLetter("patient", 0, 6, "{not json", "dev.freshline.model.MalformedChangeEventException", "bad");
		deadLetter("patient", 1, 9, OpsFixture.patientChange("d", 2, "ward-c", null, 3), "dev.freshline.cache.X", "timeout");
		cache("patient:{1}", "patient:{2}", "ward:{ward-a}", "ward:{ward-b}", "ward:{ward-c}", "patient:{3}");

		Run first = this.fixture.ops("dlt", "redrive", "--group", this.group);

		assertThat(first.exitCode()).isEqualTo(1);
		assertThat(first.out()).containsPattern("0@0 +\\S+-0@5 +invalidates " + key("patient:{1}"))
			.containsPattern("0@1 +\\S+-0@6 +still fails: change record is not a Debezium JSON envelope")
			.contains("Redriven 2, still failing 1 (kept in " + this.dlt + "; group " + this.group + " stops at 0@1");
		assertThat(this.fixture.redisKeys()).contains(key("patient:{3}"))
			.doesNotContain(key("patient:{1}"), key("patient:{2}"), key("ward:{ward-a}"), key("ward:{ward-b}"),
					key("ward:{ward-c}"));
		assertThat(this.fixture.committed(this.group)).containsEntry(new TopicPartition(this.dlt, 0), 1L);

		Run list = this.fixture.ops("dlt", "list", "--group", this.group);
		Run second = this.fixture.ops("dlt", "redrive", "--group", this.group);

		assertThat(list.out()).containsPattern("0@0 .* yes ").containsPattern("0@1 .* no ");
		assertThat(second.exitCode()).isEqualTo(1);
		assertThat(second.out()).contains("Redriving 2 records of " + this.dlt + " from 0@1");
	}

	@Test
	void shouldApplyARecordOnceTheRulesAreFixed() throws Exception {
		String nurse = "{\"before\":null,\"after\":{\"id\":3,\"patient_id\":8},\"source\":{\"table\":\"nurse\"},\"op\":\"c\"}";
		deadLetter("nurse", 0, 0, nurse, "dev.freshline.model.UnmappableChangeEventException", "no rule for table 'nurse'");
		cache("patient:{8}");
		Path fixed = this.directory.resolve("rules.yml");
		Files.writeString(fixed, """
				namespaces: { patient: integer, ward: text(32), formulary: integer }
				tags: { hospital: integer }
				tables:
				  patient: { keys: [ { key: "patient:{id}", floor: version }, { key: "ward:{ward}" } ] }
				  formulary_item: { keys: [ { key: "formulary:{hospital_id}", tags: ["hospital:{hospital_id}"] } ] }
				  nurse: { keys: [ { key: "patient:{patient_id}" } ] }
				""");

		Run before = this.fixture.ops("dlt", "redrive", "--group", this.group, "--dry-run");
		Run after = this.fixture.ops("dlt", "redrive", "--group", this.group, "--rules", fixed.toString());

		assertThat(before.exitCode()).isEqualTo(1);
		assertThat(before.out()).contains("still fails: no rule for table 'nurse'").contains("Dry run: nothing was changed");
		assertThat(after.exitCode()).as(after.out() + after.err()).isZero();
		assertThat(after.out()).contains("Redriven 1, still failing 0");
		assertThat(this.fixture.redis.hasKey(key("patient:{8}"))).isFalse();
		assertThat(this.fixture.committed(this.group)).containsEntry(new TopicPartition(this.dlt, 0), 1L);
	}

	@Test
	void shouldRefuseAMalformedPositionAndChangeNothing() throws Exception {
		deadLetter("patient", 0, 5, OpsFixture.patientChange("u", 1, "ward-a", "ward-b", 4), "X", "timeout");
		cache("patient:{1}");
		Map<String, String> before = this.fixture.snapshot();

		Run run = this.fixture.ops("dlt", "redrive", "--group", this.group, "--from", "yesterday");

		assertThat(run.exitCode()).isEqualTo(2);
		assertThat(run.err()).startsWith("ops dlt redrive: malformed --from 'yesterday'").hasLineCount(1);
		assertThat(this.fixture.snapshot()).isEqualTo(before);
		assertThat(this.fixture.committed(this.group)).isEmpty();
	}

	/**
	 * An invalidator that predates watermarks dead-letters every marker (its value is no change
	 * event); spring-kafka keeps the original headers, so a redrive knows it and does nothing.
	 */
	@Test
	void shouldRedriveAWatermarkMarkerAsNothingToDo() throws Exception {
		deadLetter("patient", 1, 4, new Watermark(Watermark.parseLsn("0/16B3748"), 1L).encode(),
				"dev.freshline.model.MalformedChangeEventException", "change record is not a Debezium JSON envelope",
				new RecordHeader(Watermark.HEADER, new byte[0]));
		cache("patient:{1}", "ward:{ward-a}");

		Run run = this.fixture.ops("dlt", "redrive", "--group", this.group);

		assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
		assertThat(run.out()).containsPattern("0@0 +\\S+-1@4 +nothing to do \\(watermark marker\\)")
			.contains("Redriven 1, still failing 0");
		assertThat(this.fixture.redisKeys()).as("nothing invalidated or flushed")
			.containsOnly(key("patient:{1}"), key("ward:{ward-a}"));
	}

	private void deadLetter(String table, int partition, long offset, String value, String exception, String message,
			RecordHeader... more) throws InterruptedException, ExecutionException {
		ProducerRecord<String, byte[]> record = new ProducerRecord<>(this.dlt, null, "k",
				value.getBytes(StandardCharsets.UTF_8));
		record.headers()
			.add(new RecordHeader("kafka_dlt-original-topic", bytes(this.fixture.topics.changes(table))))
			.add(new RecordHeader("kafka_dlt-original-partition", ByteBuffer.allocate(4).putInt(partition).array()))
			.add(new RecordHeader("kafka_dlt-original-offset", ByteBuffer.allocate(8).putLong(offset).array()))
			.add(new RecordHeader("kafka_dlt-exception-fqcn", bytes(exception)))
			.add(new RecordHeader("kafka_dlt-exception-message", bytes(message)));
		for (RecordHeader header : more) {
			record.headers().add(header);
		}
		this.fixture.producer.send(record).get();
	}

	private void cache(String... entries) {
		for (String entry : entries) {
			this.fixture.redis.opsForValue().set(key(entry), "cached");
		}
	}

	private String key(String entry) {
		return this.fixture.keyPrefix + ":" + entry;
	}

	private static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

}
