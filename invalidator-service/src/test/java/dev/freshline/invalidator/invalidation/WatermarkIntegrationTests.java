package dev.freshline.invalidator.invalidation;

import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.lettuce.core.protocol.CommandType;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.freshline.embedded.RedisServer;
import dev.freshline.embedded.SharedServers;
import dev.freshline.model.Watermark;

import static org.assertj.core.api.Assertions.assertThat;
import static dev.freshline.invalidator.invalidation.Waits.await;

/**
 * Watermark markers against a real broker and a real Redis: a marker is recorded as its
 * partition's applied watermark only after Redis answered every delete before it, invalidates
 * nothing, never reaches the dead-letter topic, and occupies an offset like any record.
 *
 * <p>As in {@link OffsetGuardIntegrationTests}, Redis "fails" by refusing commands through an
 * ACL on a private server, so a change is retried for as long as a test needs, deterministically.
 */
class WatermarkIntegrationTests {

	private InvalidatorStack stack;

	@AfterEach
	void stop() {
		if (this.stack != null) {
			this.stack.close();
		}
	}

	/**
	 * A marker right behind a change on the same partition, while Redis refuses the change's
	 * invalidate script: the change is retried, and no watermark is recorded for the partition
	 * however long the marker waits behind it. Once Redis accepts the script the key goes and the
	 * watermark is exactly the marker's value.
	 */
	@Test
	void shouldRecordAMarkerOnlyAfterTheDeletesBeforeItWereAnswered() throws Exception {
		try (RedisServer redis = RedisServer.start()) {
			this.stack = new InvalidatorStack(redis, InvalidatorStack.RETRY_FAST);
			TopicPartition partition = new TopicPartition(this.stack.topics.changes("patient"), 0);
			String watermarks = this.stack.keys.watermarks("patient");
			String key = this.stack.keys.patient(5);
			this.stack.redis().set(key, "stale until the change is applied");
			Watermark watermark = new Watermark(Watermark.parseLsn("16/B374D848"), 1_700_000_000_123L);

			this.stack.refuse(CommandType.EVALSHA, CommandType.EVAL);
			this.stack.send(partition, "{\"id\":5}", InvalidatorStack.patientChange("u", 5L, 5L));
			RecordMetadata marker = this.stack.sendMarker(partition, watermark.encode());
			double failures = this.stack.counter("freshline.invalidator.failures");
			// either the change is retried behind a refusing Redis, or the marker overtook it
			await("the change retried, or the marker recorded").until(
					() -> this.stack.counter("freshline.invalidator.failures") >= failures + 3
							|| this.stack.redis().hexists(watermarks, "0"));

			assertThat(this.stack.redis().hexists(watermarks, "0"))
				.as("no watermark while the change before the marker is not applied")
				.isFalse();
			assertThat(this.stack.redis().exists(key)).isEqualTo(1);

			this.stack.allow(CommandType.EVALSHA, CommandType.EVAL);

			await().until(() -> this.stack.committedOffset(partition) == marker.offset() + 1);
			assertThat(this.stack.redis().exists(key)).as("the change before the marker applied").isZero();
			assertThat(this.stack.redis().hget(watermarks, "0")).isEqualTo(watermark.encode());
			assertThat(this.stack.redis().hkeys(watermarks)).as("only the marker's partition").containsExactly("0");
			assertThat(this.stack.counter("freshline.invalidator.watermarks.applied")).isEqualTo(1);
		}
	}

	/**
	 * Recording the watermark is a Redis command like a delete: refused, the marker is retried
	 * with the same back-off, and its offset is not committed until the watermark is recorded.
	 */
	@Test
	void shouldRetryAMarkerWhoseWatermarkRedisRefusedWithoutCommittingIt() throws Exception {
		try (RedisServer redis = RedisServer.start()) {
			this.stack = new InvalidatorStack(redis, InvalidatorStack.RETRY_FAST);
			TopicPartition partition = new TopicPartition(this.stack.topics.changes("formulary_item"), 1);
			String watermarks = this.stack.keys.watermarks("formulary_item");
			Watermark watermark = new Watermark(Watermark.parseLsn("0/3000060"), 1_700_000_000_456L);

			this.stack.refuse(CommandType.HSET);
			RecordMetadata marker = this.stack.sendMarker(partition, watermark.encode());
			double failures = this.stack.counter("freshline.invalidator.failures");
			// either the marker is retried behind a refusing Redis, or it was committed without its watermark
			await("the marker retried, or committed").until(
					() -> this.stack.counter("freshline.invalidator.failures") >= failures + 3
							|| this.stack.committedOffset(partition) > marker.offset());
			assertThat(this.stack.committedOffset(partition)).as("nothing committed past the marker")
				.isEqualTo(marker.offset());
			assertThat(deadLetters()).isZero();

			this.stack.allow(CommandType.HSET);

			await().until(() -> this.stack.committedOffset(partition) == marker.offset() + 1);
			assertThat(this.stack.redis().hget(watermarks, "1")).isEqualTo(watermark.encode());
		}
	}

	/** A marker is no change: a cached entry stays, nothing is dead-lettered or flushed. */
	@Test
	void shouldInvalidateNothingAndDeadLetterNothingForAMarker() throws Exception {
		this.stack = new InvalidatorStack(SharedServers.get().redis(), Map.of());
		TopicPartition partition = new TopicPartition(this.stack.topics.changes("patient"), 1);
		String bystander = this.stack.keys.patient(6);
		String otherNamespace = this.stack.keys.formulary(1);
		this.stack.redis().mset(Map.of(bystander, "cached", otherNamespace, "cached"));
		Watermark watermark = new Watermark(Watermark.parseLsn("0/16B3748"), 1_700_000_000_789L);

		RecordMetadata marker = this.stack.sendMarker(partition, watermark.encode());

		await().until(() -> this.stack.committedOffset(partition) == marker.offset() + 1);
		assertThat(this.stack.redis().hget(this.stack.keys.watermarks("patient"), "1")).isEqualTo(watermark.encode());
		assertThat(this.stack.redis().exists(bystander, otherNamespace)).as("nothing invalidated or flushed").isEqualTo(2);
		assertThat(this.stack.counter("freshline.invalidator.keys.deleted")).isZero();
		assertThat(this.stack.counter("freshline.dead.lettered")).isZero();
		assertThat(deadLetters()).as("records on the dead-letter topic").isZero();
	}

	/**
	 * A marker that cannot be read is counted and skipped: no dead letter, no flush, no
	 * watermark, and the change after it on the same partition is applied as usual.
	 */
	@Test
	void shouldCountAndSkipAMalformedMarkerWithoutDeadLetteringIt() throws Exception {
		this.stack = new InvalidatorStack(SharedServers.get().redis(), Map.of());
		TopicPartition partition = new TopicPartition(this.stack.topics.changes("patient"), 2);
		String bystander = this.stack.keys.patient(6);
		String changed = this.stack.keys.patient(5);
		this.stack.redis().mset(Map.of(bystander, "cached", changed, "stale"));

		this.stack.sendMarker(partition, "{\"lsn\":\"not an lsn\"}");
		RecordMetadata change = this.stack.send(partition, "{\"id\":5}", InvalidatorStack.patientChange("u", 5L, 5L));

		await().until(() -> this.stack.committedOffset(partition) == change.offset() + 1);
		assertThat(this.stack.redis().exists(changed)).as("the change after the marker applied").isZero();
		assertThat(this.stack.counter("freshline.invalidator.watermarks.malformed")).isEqualTo(1);
		assertThat(this.stack.redis().hexists(this.stack.keys.watermarks("patient"), "2")).isFalse();
		assertThat(this.stack.redis().exists(bystander)).as("no flush").isEqualTo(1);
		assertThat(this.stack.counter("freshline.dead.lettered")).isZero();
		assertThat(deadLetters()).as("records on the dead-letter topic").isZero();
	}

	/**
	 * Markers occupy offsets between changes: the offset guard must see them applied, or the
	 * change after a marker looks like a skip and flushes the table's namespaces.
	 */
	@Test
	void shouldNotTakeMarkersForAGapInOffsets() throws Exception {
		this.stack = new InvalidatorStack(SharedServers.get().redis(), Map.of());
		TopicPartition partition = new TopicPartition(this.stack.topics.changes("patient"), 0);
		double resets = this.stack.counter("freshline.offset.resets");
		String bystander = this.stack.keys.patient(6);
		this.stack.redis().set(bystander, "flushed only if a gap is seen");

		this.stack.send(partition, "{\"id\":5}", InvalidatorStack.patientChange("u", 5L, 5L));
		this.stack.sendMarker(partition, new Watermark(Watermark.parseLsn("0/1000"), 1L).encode());
		this.stack.sendMarker(partition, "malformed");
		RecordMetadata last = this.stack.send(partition, "{\"id\":5}", InvalidatorStack.patientChange("u", 5L, 5L));

		await().until(() -> this.stack.committedOffset(partition) == last.offset() + 1);
		assertThat(this.stack.counter("freshline.offset.resets")).as("no gap seen").isEqualTo(resets);
		assertThat(this.stack.redis().exists(bystander)).as("nothing flushed").isEqualTo(1);
		Timer lag = this.stack.bean(MeterRegistry.class).find("freshline.invalidation.lag").tag("table", "patient").timer();
		assertThat(lag).as("the commit-to-applied lag of the patient table").isNotNull();
		assertThat(lag.count()).as("the two changes; markers are no changes").isEqualTo(2);
	}

	private long deadLetters() throws Exception {
		TopicPartition deadLetter = new TopicPartition(this.stack.topics.deadLetter(), 0);
		try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
				SharedServers.get().kafka().bootstrapServers()))) {
			return admin.listOffsets(Map.of(deadLetter, OffsetSpec.latest()))
				.partitionResult(deadLetter)
				.get(10, TimeUnit.SECONDS)
				.offset();
		}
	}
}
