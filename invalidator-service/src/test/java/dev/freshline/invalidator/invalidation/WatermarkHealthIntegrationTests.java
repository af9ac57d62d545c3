package dev.freshline.invalidator.invalidation;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import io.lettuce.core.protocol.CommandType;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

import dev.freshline.embedded.RedisServer;
import dev.freshline.model.Watermark;

import static org.assertj.core.api.Assertions.assertThat;
import static dev.freshline.invalidator.invalidation.Waits.await;

/**
 * The invalidator's health against a real broker and a real Redis while watermark markers keep
 * arriving: UP while they are applied, DOWN once they stop being applied (Redis refuses the
 * watermark's HSET, or a change before them keeps failing), UP again after recovery. Markers are
 * sent from inside each wait's condition, so they keep arriving for exactly as long as the test
 * waits. The negative control sends no markers: the same failures then leave health UP, as
 * without markers it always was.
 */
class WatermarkHealthIntegrationTests {

	private static final Duration STALL = Duration.ofMillis(800);

	private InvalidatorStack stack;

	private long lsn = 0x1000;

	@AfterEach
	void stop() {
		if (this.stack != null) {
			this.stack.close();
		}
	}

	@Test
	void shouldTurnDownWhileRedisRefusesTheWatermarkAndUpOnceItAcceptsItAgain() throws Exception {
		try (RedisServer redis = RedisServer.start()) {
			this.stack = new InvalidatorStack(redis, settings());
			TopicPartition partition = new TopicPartition(this.stack.topics.changes("patient"), 1);
			String watermarks = this.stack.keys.watermarks("patient");
			WatermarkHealth health = this.stack.bean(WatermarkHealth.class);

			await("markers applied").until(() -> markerApplied(partition, watermarks));
			// UP for several thresholds while markers keep arriving and are applied
			await("UP while markers are applied").during(STALL.multipliedBy(3))
				.until(() -> sendMarker(partition) && health.health().getStatus() == Status.UP);

			this.stack.refuse(CommandType.HSET);
			await("DOWN while Redis refuses the watermark").until(() -> sendMarker(partition)
					&& health.health().getStatus() == Status.DOWN);
			assertStalled(health.health(), partition);
			assertThat(this.stack.refused("hset")).isTrue();

			this.stack.allow(CommandType.HSET);
			await("UP once Redis accepts it again").until(() -> markerApplied(partition, watermarks)
					&& health.health().getStatus() == Status.UP);
		}
	}

	@Test
	void shouldTurnDownWhileAChangeBeforeTheMarkersKeepsFailingAndUpOnceItIsApplied() throws Exception {
		try (RedisServer redis = RedisServer.start()) {
			this.stack = new InvalidatorStack(redis, settings());
			TopicPartition partition = new TopicPartition(this.stack.topics.changes("patient"), 0);
			String watermarks = this.stack.keys.watermarks("patient");
			String key = this.stack.keys.patient(5);
			WatermarkHealth health = this.stack.bean(WatermarkHealth.class);
			await("markers applied").until(() -> markerApplied(partition, watermarks));

			this.stack.redis().set(key, "stale until the change is applied");
			this.stack.refuse(CommandType.EVALSHA, CommandType.EVAL);
			this.stack.send(partition, "{\"id\":5}", InvalidatorStack.patientChange("u", 5L, 5L));
			// the markers behind the failing change never reach the listener: only the consumer sees them
			await("DOWN while the change before the markers fails").until(() -> sendMarker(partition)
					&& health.health().getStatus() == Status.DOWN);
			assertStalled(health.health(), partition);
			assertThat(this.stack.redis().exists(key)).as("the change is still not applied").isEqualTo(1);

			this.stack.allow(CommandType.EVALSHA, CommandType.EVAL);
			await("UP once the change and the markers are applied").until(() -> markerApplied(partition, watermarks)
					&& health.health().getStatus() == Status.UP);
			assertThat(this.stack.redis().exists(key)).isZero();
		}
	}

	/** Negative control: without markers (CDC_MARKERS=false) a failing change leaves health as it was. */
	@Test
	void shouldStayUpWhileAChangeKeepsFailingWithoutMarkers() throws Exception {
		try (RedisServer redis = RedisServer.start()) {
			this.stack = new InvalidatorStack(redis, settings());
			TopicPartition partition = new TopicPartition(this.stack.topics.changes("patient"), 2);
			WatermarkHealth health = this.stack.bean(WatermarkHealth.class);
			ListenerHealth listeners = this.stack.bean(ListenerHealth.class);

			this.stack.refuse(CommandType.EVALSHA, CommandType.EVAL);
			this.stack.send(partition, "{\"id\":5}", InvalidatorStack.patientChange("u", 5L, 5L));
			double failures = this.stack.counter("freshline.invalidator.failures");
			await("the change retried").until(() -> this.stack.counter("freshline.invalidator.failures") >= failures + 3);

			await("UP while the change fails and no marker arrives").during(STALL.multipliedBy(3))
				.until(() -> this.stack.send(partition, "{\"id\":6}", InvalidatorStack.patientChange("u", 6L, 6L)) != null
						&& health.health().getStatus() == Status.UP && listeners.health().getStatus() == Status.UP);
			assertThat(health.health().getDetails()).containsEntry("partitionsWithMarkers", 0);
		}
	}

	private Map<String, Object> settings() {
		Map<String, Object> settings = new HashMap<>(InvalidatorStack.RETRY_FAST);
		settings.put("INVALIDATOR_WATERMARK_STALL", STALL.toMillis() + "ms");
		return settings;
	}

	/** Sends the next marker to {@code partition}; true, so a wait's condition can send one per poll. */
	private boolean sendMarker(TopicPartition partition) throws Exception {
		this.lsn += 0x100;
		RecordMetadata sent = this.stack.sendMarker(partition, new Watermark(this.lsn, System.currentTimeMillis()).encode());
		return sent.offset() >= 0;
	}

	/** Sends a marker and tells whether the newest one sent before it is the partition's applied watermark. */
	private boolean markerApplied(TopicPartition partition, String watermarks) throws Exception {
		long previous = this.lsn;
		String applied = this.stack.redis().hget(watermarks, String.valueOf(partition.partition()));
		sendMarker(partition);
		return applied != null && Watermark.parse(applied).lsn() == previous;
	}

	@SuppressWarnings("unchecked")
	private void assertStalled(Health health, TopicPartition partition) {
		assertThat(health.getStatus()).isEqualTo(Status.DOWN);
		Map<String, Object> stalled = (Map<String, Object>) health.getDetails().get("stalled");
		assertThat(stalled).as("health %s", health.getDetails()).containsOnlyKeys(partition.toString());
		Map<String, Object> detail = (Map<String, Object>) stalled.get(partition.toString());
		assertThat(detail).containsKeys("waitingMillis", "newestSeen", "lastApplied");
		// a stall is a wait longer than the threshold in nanoseconds, reported in whole milliseconds,
		// truncated: a wait of 800.4 ms is a stall and reads 800
		assertThat((long) detail.get("waitingMillis")).isGreaterThanOrEqualTo(STALL.toMillis());
		Map<String, Object> seen = (Map<String, Object>) detail.get("newestSeen");
		Map<String, Object> applied = (Map<String, Object>) detail.get("lastApplied");
		assertThat((long) seen.get("offset")).as("a marker newer than the last applied")
			.isGreaterThan((long) applied.get("offset"));
		assertThat(applied).containsKeys("lsn", "commitMillis", "ageMillis");
	}
}
