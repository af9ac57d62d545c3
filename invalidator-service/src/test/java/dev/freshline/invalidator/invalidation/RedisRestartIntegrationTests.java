package dev.freshline.invalidator.invalidation;

import java.util.Map;
import java.util.function.Function;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.freshline.embedded.RedisServer;

import static org.assertj.core.api.Assertions.assertThat;
import static dev.freshline.invalidator.invalidation.Waits.await;

/**
 * A Redis that comes back from a snapshot written before the invalidator's deletes brings the
 * deleted values back: a real redis-server, its data saved with SAVE (an RDB, as the periodic
 * snapshot would), then restarted on the same files. The invalidator must flush every namespace,
 * whether it was running at the time or started afterwards, and must not flush when Redis never
 * restarted.
 */
class RedisRestartIntegrationTests {

	private InvalidatorStack stack;

	@AfterEach
	void stop() {
		if (this.stack != null) {
			this.stack.close();
		}
	}

	@Test
	void shouldFlushEveryNamespaceWhenRedisCameBackFromASnapshotWhileTheInvalidatorWasDown() throws Exception {
		try (RedisServer redis = RedisServer.start()) {
			Deleted deleted = cacheSnapshotThenDelete(redis, Map.of());
			this.stack.close();
			this.stack = null;

			redis.restart();
			String resurrected = on(redis, (commands) -> commands.get(deleted.key()));
			assertThat(resurrected)
				.as("the restart loaded the snapshot: the acknowledged delete is undone")
				.isEqualTo("version 1");

			this.stack = new InvalidatorStack(redis, Map.of(), deleted.name());

			// checked as the invalidator starts, before it reads anything
			assertThat(this.stack.redis().exists(deleted.key(), deleted.ward())).isZero();
			assertThat(this.stack.counter("freshline.invalidator.redis.restarts")).isEqualTo(1);
			assertThat(this.stack.counter("freshline.namespace.flushes", "namespace", "ward", "reason", "redis-restart"))
				.isEqualTo(1);
		}
	}

	@Test
	void shouldFlushEveryNamespaceWhenRedisRestartsFromASnapshotUnderARunningInvalidator() throws Exception {
		try (RedisServer redis = RedisServer.start()) {
			Deleted deleted = cacheSnapshotThenDelete(redis, Map.of("freshline.invalidator.redis-restart-check", "100ms"));
			// the first start on a new server flushed too: it had no run id recorded
			double restartsBefore = this.stack.counter("freshline.invalidator.redis.restarts");

			redis.restart();

			// counted last, after the flush and the new run id's record: awaiting the keys instead
			// could catch the moment between the flush and the count
			await().until(() -> this.stack.counter("freshline.invalidator.redis.restarts") == restartsBefore + 1);
			assertThat(this.stack.redis().exists(deleted.key(), deleted.ward())).isZero();
			String runId = this.stack.redis().info("server").lines()
				.filter((line) -> line.startsWith("run_id:"))
				.findFirst()
				.orElseThrow()
				.substring("run_id:".length());
			assertThat(this.stack.redis().get(this.stack.keys.serverLifetime())).isEqualTo(runId);
		}
	}

	/** Negative control: an invalidator restarted against a Redis that kept running flushes nothing. */
	@Test
	void shouldNotFlushWhenRedisKeptRunning() throws Exception {
		try (RedisServer redis = RedisServer.start()) {
			this.stack = new InvalidatorStack(redis, Map.of());
			String name = this.stack.name;
			String bystander = this.stack.keys.patient(80);
			this.stack.close();
			this.stack = null;
			InvalidatorStack.preset(redis, Map.of(bystander, "fresh"));

			this.stack = new InvalidatorStack(redis, Map.of(), name);

			assertThat(this.stack.redis().exists(bystander)).isEqualTo(1);
			assertThat(this.stack.counter("freshline.invalidator.redis.restarts")).isZero();
		}
	}

	/**
	 * Starts an invalidator, caches patient 5 and ward-a, snapshots Redis, then lets the
	 * invalidator apply patient 5's change (which deletes both) and commit it.
	 */
	private Deleted cacheSnapshotThenDelete(RedisServer redis, Map<String, Object> overrides) throws Exception {
		this.stack = new InvalidatorStack(redis, overrides);
		String key = this.stack.keys.patient(5);
		String ward = this.stack.keys.key(dev.freshline.model.Namespace.WARD, "ward-a");
		this.stack.redis().mset(Map.of(key, "version 1", ward, "[5]"));
		assertThat(this.stack.redis().save()).isEqualTo("OK");
		String topic = this.stack.topics.changes("patient");
		RecordMetadata change = this.stack.send(topic, "{\"id\":5}", InvalidatorStack.patientChange("u", 5L, 5L));
		TopicPartition partition = new TopicPartition(topic, change.partition());
		await().until(() -> this.stack.committedOffset(partition) == change.offset() + 1);
		assertThat(this.stack.redis().exists(key, ward)).as("the change's keys deleted and the offset committed").isZero();
		return new Deleted(this.stack.name, key, ward);
	}

	private static <T> T on(RedisServer redis, Function<RedisCommands<String, String>, T> action) {
		RedisClient client = RedisClient.create(redis.uri());
		try (StatefulRedisConnection<String, String> connection = client.connect()) {
			return action.apply(connection.sync());
		}
		finally {
			client.shutdown();
		}
	}

	private record Deleted(String name, String key, String ward) {
	}
}
