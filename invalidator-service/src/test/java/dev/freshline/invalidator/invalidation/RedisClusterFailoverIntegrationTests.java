package dev.freshline.invalidator.invalidation;

import java.time.Duration;
import java.util.Map;

import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import dev.freshline.embedded.RedisCluster;
import dev.freshline.embedded.RedisServer;
import dev.freshline.model.Namespace;

import static org.assertj.core.api.Assertions.assertThat;
import static dev.freshline.invalidator.invalidation.Waits.await;

/**
 * The invalidator on a real Redis Cluster, configured by {@code spring.data.redis.cluster.nodes}:
 * its deletes reach keys on every primary, and a primary killed and replaced by a replica that
 * never received a delete the invalidator committed is told by the run id recorded on that
 * primary's own slots, and flushed, while a cluster without a failover is left alone.
 * (ServerLifetimeIntegrationTests shows the value the promoted replica brings back.)
 */
class RedisClusterFailoverIntegrationTests {

	@Test
	void shouldInvalidateAcrossPrimariesAndFlushWhenAPrimaryFailsOver() throws Exception {
		// the default user stays open for the invalidator; replicas log in as the cluster's own user
		try (RedisCluster cluster = RedisCluster.startWithUsers("user default on nopass ~* &* +@all\n");
				InvalidatorStack stack = new InvalidatorStack(cluster, Map.of("freshline.invalidator.redis-restart-check", "100ms"))) {
			// a new cluster holds no records: one flush, one restart counted per primary
			await("the first check recorded every primary").until(
					() -> stack.counter("freshline.invalidator.redis.restarts") == RedisCluster.PRIMARIES);

			String ward = stack.keys.key(Namespace.WARD, "ward-a");
			Map<String, String> cached = new java.util.LinkedHashMap<>();
			for (long id = 1; id <= 30; id++) {
				cached.put(stack.keys.patient(id), "version 1");
			}
			cached.put(ward, "[1]");
			cached.forEach((key, value) -> stack.clusterRedis().set(key, value));
			String topic = stack.topics.changes("patient");
			RecordMetadata change = null;
			for (long id = 1; id <= 30; id++) {
				change = stack.send(topic, "{\"id\":" + id + "}", InvalidatorStack.patientChange("u", id, id));
			}
			await("every patient's key deleted").until(() -> cached.keySet().stream()
				.allMatch((key) -> stack.clusterRedis().exists(key) == 0));
			assertThat(stack.clusterRedis().get(stack.keys.floor(stack.keys.patient(30)))).isEqualTo("2");
			TopicPartition partition = new TopicPartition(topic, change.partition());
			long last = change.offset();
			await("the last change committed").until(() -> stack.committedOffset(partition) == last + 1);

			// negative control: without a failover, the checks every 100 ms flush nothing
			String bystander = stack.keys.patient(99);
			stack.clusterRedis().set(bystander, "version 1");
			org.awaitility.Awaitility.await().during(Duration.ofMillis(700)).atMost(Duration.ofSeconds(5)).until(
					() -> stack.counter("freshline.invalidator.redis.restarts") == RedisCluster.PRIMARIES
							&& stack.clusterRedis().exists(bystander) == 1);

			// a change the primary applies and the invalidator commits, but the replica never receives
			String lost = java.util.stream.LongStream.rangeClosed(100, 1000)
				.mapToObj(stack.keys::patient)
				.filter((key) -> cluster.primaryServing(io.lettuce.core.cluster.SlotHash.getSlot(key)) != cluster
					.primaryServing(io.lettuce.core.cluster.SlotHash.getSlot(bystander)))
				.findFirst()
				.orElseThrow();
			long lostId = Long.parseLong(lost.substring(lost.indexOf('{') + 1, lost.indexOf('}')));
			RedisServer victim = cluster.primaryServing(io.lettuce.core.cluster.SlotHash.getSlot(lost));
			stack.clusterRedis().set(lost, "version 1");
			cluster.awaitReplicated(victim);
			cluster.cutReplication(victim);
			RecordMetadata lostChange = stack.send(topic, "{\"id\":" + lostId + "}",
					InvalidatorStack.patientChange("u", lostId, lostId));
			TopicPartition lostPartition = new TopicPartition(topic, lostChange.partition());
			await("the change committed").until(() -> stack.committedOffset(lostPartition) == lostChange.offset() + 1);
			assertThat(stack.clusterRedis().exists(lost)).as("deleted on the primary").isZero();

			cluster.failover(victim);

			await("the promoted replica told and the cache flushed").until(
					() -> stack.counter("freshline.invalidator.redis.restarts") == RedisCluster.PRIMARIES + 1);
			assertThat(stack.clusterRedis().exists(lost)).as("the resurrected value flushed").isZero();
			assertThat(stack.clusterRedis().exists(bystander)).as("every namespace flushed, on every primary").isZero();
			assertThat(stack.counter("freshline.namespace.flushes", "namespace", "patient", "reason", "redis-restart"))
				.isEqualTo(2);
		}
	}
}
