package dev.freshline.cache;

import java.time.Duration;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;

import org.springframework.data.redis.connection.RedisClusterConfiguration;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import dev.freshline.embedded.RedisCluster;
import dev.freshline.embedded.RedisServer;
import dev.freshline.embedded.SharedServers;

/**
 * The two kinds of Redis the protocol's tests run against, the same assertions on each: one
 * server, and a cluster of three primaries with a replica each (the shared ones of this JVM).
 * Tests isolate themselves by key prefix, never by emptying Redis.
 */
enum RedisBackend {

	SINGLE, CLUSTER;

	private static final Map<RedisBackend, LettuceConnectionFactory> SHARED = new EnumMap<>(RedisBackend.class);

	private static final Duration TIMEOUT = Duration.ofSeconds(2);

	/** Connections to this backend, shared by the tests of this JVM: never destroy them. */
	synchronized LettuceConnectionFactory connections() {
		return SHARED.computeIfAbsent(this, (backend) -> (backend == SINGLE) ? connectionsTo(SharedServers.get().redis())
				: connectionsTo(SharedServers.get().redisCluster()));
	}

	/** A Redis client outside the protocol's code, to set up and check what the commands left behind. */
	RawRedis raw() {
		return (this == SINGLE) ? RawRedis.of(SharedServers.get().redis()) : RawRedis.of(SharedServers.get().redisCluster());
	}

	static LettuceConnectionFactory connectionsTo(RedisServer redis) {
		return started(new LettuceConnectionFactory(new RedisStandaloneConfiguration(redis.host(), redis.port())));
	}

	/**
	 * Connections to {@code cluster} as the services configure them: the cluster's nodes as seeds,
	 * a topology that Lettuce refreshes when redirected and every half second, so a promoted
	 * replica is found soon after a failover, and a command timeout of seconds, not Lettuce's
	 * minute: a command sent to a killed primary waits for it.
	 */
	static LettuceConnectionFactory connectionsTo(RedisCluster cluster) {
		return started(new LettuceConnectionFactory(
				new RedisClusterConfiguration(Arrays.asList(cluster.nodeAddresses().split(","))),
				LettuceClientConfiguration.builder().clientOptions(clusterOptions()).commandTimeout(TIMEOUT).build()));
	}

	private static ClusterClientOptions clusterOptions() {
		return ClusterClientOptions.builder()
			.topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
				.enableAllAdaptiveRefreshTriggers()
				.enablePeriodicRefresh(Duration.ofMillis(500))
				.build())
			.build();
	}

	private static LettuceConnectionFactory started(LettuceConnectionFactory factory) {
		factory.afterPropertiesSet();
		factory.start();
		return factory;
	}

	/** Lettuce's plain client on a single Redis or on a cluster, behind the commands both share. */
	record RawRedis(AbstractRedisClient client, RedisClusterCommands<String, String> commands) implements AutoCloseable {

		static RawRedis of(RedisServer redis) {
			RedisClient client = RedisClient.create(redis.uri());
			return new RawRedis(client, client.connect().sync());
		}

		static RawRedis of(RedisCluster cluster) {
			List<RedisURI> seeds = Arrays.stream(cluster.nodeAddresses().split(","))
				.map((address) -> RedisURI.create("redis://" + address))
				.toList();
			RedisClusterClient client = RedisClusterClient.create(seeds);
			// follows a failover as the protocol's connections do
			client.setOptions(clusterOptions());
			client.setDefaultTimeout(TIMEOUT);
			return new RawRedis(client, client.connect().sync());
		}

		@Override
		public void close() {
			this.client.shutdown();
		}
	}
}
