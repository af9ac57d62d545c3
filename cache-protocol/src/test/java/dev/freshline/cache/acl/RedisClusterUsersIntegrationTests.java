package dev.freshline.cache.acl;

import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.data.redis.connection.RedisClusterConfiguration;
import org.springframework.data.redis.connection.RedisPassword;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import dev.freshline.cache.CacheCommands;
import dev.freshline.cache.FillCommands;
import dev.freshline.cache.FillOutcome;
import dev.freshline.cache.Primaries;
import dev.freshline.cache.ReadReply;
import dev.freshline.cache.ServerLifetime;
import dev.freshline.embedded.RedisCluster;
import dev.freshline.embedded.RedisServer;
import dev.freshline.model.CacheKeys;
import dev.freshline.model.Invalidation;
import dev.freshline.model.Namespace;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The users of freshline-redis-users.acl on every node of a Redis Cluster: each component's own
 * operations succeed as its user, through a cluster client that discovers and refreshes the
 * topology as the services' does, and no node's ACL log records a refused command afterwards
 * (Lettuce swallows a refused topology request, so an assertion on the operations alone would
 * miss one).
 */
class RedisClusterUsersIntegrationTests {

	private static final CacheKeys KEYS = new CacheKeys("aclc");

	private static final Map<String, String> PASSWORDS = new LinkedHashMap<>(
			Map.of(RedisUsers.API, "api-secret", RedisUsers.INVALIDATOR, "invalidator-secret", RedisUsers.OPS, "ops-secret"));

	private static RedisCluster cluster;

	@BeforeAll
	static void startClusterWithUsers() {
		cluster = RedisCluster.startWithUsers(RedisUsers.load().aclFile(KEYS, PASSWORDS));
	}

	@AfterAll
	static void stopCluster() {
		cluster.close();
	}

	@Test
	void shouldRunEveryComponentsCommandsOnEveryPrimaryAsItsUserWithNothingRefused() {
		for (RedisServer node : cluster.nodes()) {
			cluster.call(node, "ACL", "LOG", "RESET");
		}
		LettuceConnectionFactory api = connections(RedisUsers.API);
		LettuceConnectionFactory invalidator = connections(RedisUsers.INVALIDATOR);
		LettuceConnectionFactory ops = connections(RedisUsers.OPS);
		try {
			FillCommands fill = new FillCommands(api, KEYS);
			CacheCommands apiCommands = new CacheCommands(api, KEYS, Duration.ofMinutes(1), 10, Duration.ofSeconds(5));
			long now = System.currentTimeMillis();
			for (int id = 1; id <= 30; id++) {
				String key = KEYS.formulary(id);
				apiCommands.register(List.of(KEYS.tagIndex("hospital:1")), key, "t" + id, Duration.ofMinutes(1));
				assertThat(fill.read(key, "t" + id, Duration.ofSeconds(5), Duration.ZERO, now).outcome())
					.isEqualTo(ReadReply.Outcome.LEASED);
				assertThat(fill.fill(key, "t" + id, "[]".getBytes(), 0, now + 60_000, 60_000)).isEqualTo(FillOutcome.STORED);
			}
			assertThat(apiCommands.invalidateTag("hospital:1")).isEqualTo(30);

			CacheCommands invalidatorCommands = new CacheCommands(invalidator, KEYS, Duration.ofMinutes(1), 10,
					Duration.ofSeconds(5));
			invalidatorCommands.invalidate(List.of(new Invalidation(KEYS.patient(1), 3), new Invalidation(KEYS.patient(2), 3),
					new Invalidation(KEYS.patient(3), 3)));
			assertThat(new ServerLifetime(invalidator, KEYS).reconcile((changed) -> {
			})).hasSize(RedisCluster.PRIMARIES);

			// ops counts what a flush would remove (the three floors), on every primary
			long[] counted = { 0 };
			Primaries.scan(ops, KEYS.namespacePattern(Namespace.PATIENT), 100, (key) -> ++counted[0] > 0);
			assertThat(counted[0]).isEqualTo(3);
			assertThat(invalidatorCommands.flush(Namespace.PATIENT, (removed) -> {
			})).isEqualTo(3);
			new CacheCommands(ops, KEYS, Duration.ofMinutes(1), 10, Duration.ofSeconds(5)).invalidate(
					List.of(new Invalidation(KEYS.patient(4), 1)));
			assertThat(new CacheCommands(ops, KEYS, Duration.ofMinutes(1), 10, Duration.ofSeconds(5))
				.flush(Namespace.PATIENT, (removed) -> {
				})).isEqualTo(1);
		}
		finally {
			api.destroy();
			invalidator.destroy();
			ops.destroy();
		}
		for (RedisServer node : cluster.nodes()) {
			List<String> log = cluster.call(node, "ACL", "LOG").lines().toList();
			List<String> refused = IntStream.range(0, log.size() - 1)
				.filter((i) -> log.get(i).equals("object"))
				.mapToObj((i) -> log.get(i + 1))
				.toList();
			// Lettuce announces itself on connect (CLIENT SETINFO), ignores the refusal, and Redis
			// before 7.2 does not know the command anyway: the one refusal expected
			assertThat(refused).as("refused on node %s: %s", node.port(), log).allMatch("client"::equals);
		}
	}

	private static LettuceConnectionFactory connections(String user) {
		RedisClusterConfiguration configuration = new RedisClusterConfiguration(
				Arrays.asList(cluster.nodeAddresses().split(",")));
		configuration.setUsername(user);
		configuration.setPassword(RedisPassword.of(PASSWORDS.get(user)));
		ClusterClientOptions options = ClusterClientOptions.builder()
			.topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
				.enableAllAdaptiveRefreshTriggers()
				.enablePeriodicRefresh(Duration.ofMillis(200))
				.build())
			.build();
		LettuceConnectionFactory factory = new LettuceConnectionFactory(configuration,
				LettuceClientConfiguration.builder().clientOptions(options).build());
		factory.afterPropertiesSet();
		factory.start();
		return factory;
	}
}
