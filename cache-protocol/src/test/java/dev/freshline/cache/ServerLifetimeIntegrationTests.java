package dev.freshline.cache;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import io.lettuce.core.cluster.SlotHash;
import org.junit.jupiter.api.Test;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import dev.freshline.embedded.RedisCluster;
import dev.freshline.embedded.RedisServer;
import dev.freshline.embedded.SharedServers;
import dev.freshline.model.CacheKeys;
import dev.freshline.model.Invalidation;
import dev.freshline.model.Namespace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The run-id records that tell a server which lost acknowledged deletes from one that did not:
 * one for a single Redis, one per primary of a cluster, kept on that primary, so the replica
 * promoted in a failover carries its old primary's record and is told apart.
 */
class ServerLifetimeIntegrationTests {

	private final CacheKeys keys = new CacheKeys(SharedServers.uniqueName("life"));

	@Test
	void shouldReportANewSingleRedisOnceAndRecordItsRunId() {
		ServerLifetime lifetime = new ServerLifetime(RedisBackend.SINGLE.connections(), this.keys);
		List<List<ServerLifetime.Lifetime>> seen = new ArrayList<>();

		List<ServerLifetime.Lifetime> first = lifetime.reconcile(seen::add);

		assertThat(first).singleElement().satisfies((changed) -> {
			assertThat(changed.server()).isEqualTo("Redis");
			assertThat(changed.recorded()).as("nothing recorded yet").isNull();
		});
		assertThat(seen).containsExactly(first);
		try (RedisBackend.RawRedis raw = RedisBackend.SINGLE.raw()) {
			assertThat(raw.commands().get(this.keys.serverLifetime())).isEqualTo(first.get(0).current());
		}
		assertThat(lifetime.reconcile(seen::add)).as("the same server again").isEmpty();
		assertThat(seen).hasSize(1);
	}

	/**
	 * A primary acknowledges an invalidation that never reaches its replica, dies, and the replica
	 * takes over with the old value: served as a hit unless the promotion is told, which only a
	 * record on that primary's own slots can do (the victim is not the primary holding the single
	 * record a single-Redis check would read).
	 */
	@Test
	void shouldTellTheReplicaPromotedWithoutTheLastDeletesAndFlushItsResurrectedValue() {
		// the default user stays open for the test's clients; replicas log in as the cluster's own user
		try (RedisCluster cluster = RedisCluster.startWithUsers("user default on nopass ~* &* +@all\n")) {
			LettuceConnectionFactory connections = RedisBackend.connectionsTo(cluster);
			try (RedisBackend.RawRedis raw = RedisBackend.RawRedis.of(cluster)) {
				ServerLifetime lifetime = new ServerLifetime(connections, this.keys);
				CacheCommands commands = new CacheCommands(connections, this.keys, Duration.ofMinutes(1), 10,
						Duration.ofSeconds(5));

				List<ServerLifetime.Lifetime> first = lifetime.reconcile((changed) -> {
				});
				assertThat(first).hasSize(RedisCluster.PRIMARIES)
					.allSatisfy((changed) -> assertThat(changed.recorded()).isNull())
					.extracting(ServerLifetime.Lifetime::server)
					.doesNotHaveDuplicates();
				assertThat(lifetime.reconcile((changed) -> {
				})).as("no failover, nothing changed").isEmpty();

				int singleRecordSlot = SlotHash.getSlot(this.keys.serverLifetime());
				RedisServer victim = cluster.primaries().stream()
					.filter((primary) -> primary != cluster.primaryServing(singleRecordSlot))
					.findFirst()
					.orElseThrow();
				String key = IntStream.rangeClosed(1, 1000)
					.mapToObj(this.keys::patient)
					.filter((candidate) -> cluster.primaryServing(SlotHash.getSlot(candidate)) == victim)
					.findFirst()
					.orElseThrow();
				raw.commands().set(key, "version 1");
				cluster.awaitReplicated(victim);
				String victimRunId = runId(cluster, victim);

				cluster.cutReplication(victim);
				commands.invalidate(List.of(new Invalidation(key, 2)));
				assertThat(raw.commands().get(key)).as("deleted on the primary, which acknowledged it").isNull();
				RedisServer promoted = cluster.failover(victim);

				// negative control: the acknowledged delete is undone on the promoted replica (asked
				// directly, so what the clients' view of the topology says does not matter here)
				assertThat(cluster.call(promoted, "GET", key)).isEqualTo("version 1");

				// as the invalidator's guard: flush, then record; retried while the topology settles
				List<List<ServerLifetime.Lifetime>> told = new ArrayList<>();
				await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
					List<ServerLifetime.Lifetime> changed = lifetime.reconcile((lifetimes) -> commands.flush(Namespace.PATIENT,
							(removed) -> {
							}));
					assertThat(changed).isNotEmpty();
					told.add(changed);
				});
				assertThat(told).hasSize(1);
				assertThat(told.get(0)).singleElement().satisfies((changed) -> {
					assertThat(changed.server()).endsWith(":" + promoted.port());
					assertThat(changed.recorded()).as("replicated from the killed primary").isEqualTo(victimRunId);
					assertThat(changed.current()).isEqualTo(runId(cluster, promoted));
				});
				assertThat(cluster.call(promoted, "GET", key)).as("flushed").isEmpty();
				assertThat(lifetime.reconcile((changed) -> {
				})).as("recorded: the promoted replica is checked like any primary now").isEmpty();
			}
			finally {
				connections.destroy();
			}
		}
	}

	private static String runId(RedisCluster cluster, RedisServer node) {
		return cluster.call(node, "INFO", "server").lines()
			.filter((line) -> line.startsWith("run_id:"))
			.findFirst()
			.orElseThrow()
			.substring("run_id:".length())
			.trim();
	}
}
