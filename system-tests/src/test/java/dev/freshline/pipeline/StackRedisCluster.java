package dev.freshline.pipeline;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.sync.RedisAdvancedClusterCommands;

import dev.freshline.api.ApiApplication;
import dev.freshline.cache.acl.RedisUsers;
import dev.freshline.embedded.RedisCluster;
import dev.freshline.embedded.ServiceEnvironment;
import dev.freshline.invalidator.InvalidatorApplication;
import dev.freshline.model.CacheKeys;

/**
 * A stack's own Redis Cluster (three primaries, a replica each), every node loading Freshline's
 * Redis users for the stack's key prefix: the API and the invalidators log in as their own users,
 * as in production, so a command a user may not run fails here as it would there. The test
 * itself reads as a user of its own: the harness user of the rules lacks the topology commands
 * a cluster client needs (CLUSTER NODES), and the rules file is not the tests' to widen.
 */
final class StackRedisCluster implements AutoCloseable {

	/** The test's own user: reads and audits the cache, plants the first start's marker keys. */
	static final String CHECKER = "checker";

	/**
	 * How often the test's client refreshes its view of the topology: after a failover its reads
	 * of the promoted replica's slots time out until then.
	 */
	private static final Duration REFRESH = Duration.ofMillis(200);

	/**
	 * Bounds each of the test's commands: during a failover a command to the killed primary would
	 * otherwise wait for Lettuce's default minute.
	 */
	private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(1);

	private final RedisCluster cluster;

	private final Map<String, String> passwords;

	private final RedisClusterClient client;

	private final StatefulRedisClusterConnection<String, String> connection;

	private StackRedisCluster(RedisCluster cluster, Map<String, String> passwords) {
		this.cluster = cluster;
		this.passwords = passwords;
		List<RedisURI> seeds = Arrays.stream(cluster.nodeAddresses().split(",")).map((address) -> {
			String[] hostPort = address.split(":");
			return RedisURI.builder()
				.withHost(hostPort[0])
				.withPort(Integer.parseInt(hostPort[1]))
				.withAuthentication(CHECKER, passwords.get(CHECKER))
				.withTimeout(COMMAND_TIMEOUT)
				.build();
		}).toList();
		this.client = RedisClusterClient.create(seeds);
		this.client.setOptions(ClusterClientOptions.builder()
			.topologyRefreshOptions(
					ClusterTopologyRefreshOptions.builder().enableAllAdaptiveRefreshTriggers().enablePeriodicRefresh(REFRESH).build())
			.build());
		this.connection = this.client.connect();
	}

	/** Starts six nodes with the users of {@code keys}' prefix; closes them if the test's client cannot connect. */
	static StackRedisCluster start(CacheKeys keys) {
		Map<String, String> passwords = new LinkedHashMap<>();
		for (String user : List.of(RedisUsers.API, RedisUsers.INVALIDATOR, CHECKER)) {
			passwords.put(user, randomPassword());
		}
		String services = RedisUsers.load()
			.aclFile(keys, Map.of(RedisUsers.API, passwords.get(RedisUsers.API), RedisUsers.INVALIDATOR,
					passwords.get(RedisUsers.INVALIDATOR)));
		String checker = "user " + CHECKER + " on resetpass >" + passwords.get(CHECKER) + " resetkeys ~" + keys.prefix()
				+ ":* resetchannels -@all +auth +hello +ping +get +mget +set +mset +exists +scan +info +cluster|nodes "
				+ "+cluster|info +cluster|myid +cluster|slots\n";
		RedisCluster cluster = RedisCluster.startWithUsers(services + checker);
		try {
			return new StackRedisCluster(cluster, passwords);
		}
		catch (RuntimeException ex) {
			cluster.close();
			throw ex;
		}
	}

	/** Points a service at the cluster, logged in as its own user; the connector uses no Redis. */
	void configure(ServiceEnvironment environment, Class<?> application) {
		// a property, not the variable: no placeholder in the services' YAML maps SPRING_DATA_REDIS_CLUSTER_NODES,
		// which only the environment's relaxed binding turns into this name
		environment.put("spring.data.redis.cluster.nodes", this.cluster.nodeAddresses());
		if (application == ApiApplication.class) {
			environment.redisUser(RedisUsers.API, this.passwords.get(RedisUsers.API));
		}
		else if (application == InvalidatorApplication.class) {
			environment.redisUser(RedisUsers.INVALIDATOR, this.passwords.get(RedisUsers.INVALIDATOR));
		}
	}

	RedisCluster cluster() {
		return this.cluster;
	}

	/** The test's commands, routed by slot across the primaries (MGET split by slot, SCAN over every primary). */
	RedisAdvancedClusterCommands<String, String> commands() {
		return this.connection.sync();
	}

	@Override
	public void close() {
		try {
			this.connection.close();
			this.client.shutdown();
		}
		finally {
			this.cluster.close();
		}
	}

	private static String randomPassword() {
		byte[] bytes = new byte[16];
		new SecureRandom().nextBytes(bytes);
		return HexFormat.of().formatHex(bytes);
	}
}
