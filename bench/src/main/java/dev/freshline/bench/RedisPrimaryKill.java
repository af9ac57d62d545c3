package dev.freshline.bench;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;

/**
 * Kills (SIGKILL) the Redis Cluster primary that serves a given key, as a crashed node would
 * stop; recovered once its replica reports itself a primary. The primary and its replica are
 * found before the fault, as the harness user sees them: a primary answers a read of the key, the
 * others redirect it ({@code MOVED}), and the replica names the primary's port in its replication
 * info.
 */
final class RedisPrimaryKill implements FailoverStaleness.Fault {

	private final StackProcess stack;

	private final int primary;

	private final RedisURI replica;

	private RedisPrimaryKill(StackProcess stack, int primary, RedisURI replica) {
		this.stack = stack;
		this.primary = primary;
		this.replica = replica;
	}

	/** The fault for the primary that serves {@code key} now. */
	static RedisPrimaryKill of(StackProcess stack, String key) {
		List<RedisURI> nodes = stack.redisClusterNodes();
		if (nodes.isEmpty()) {
			throw new IllegalStateException("the stack's Redis is not a cluster");
		}
		int primary = -1;
		for (int i = 0; i < nodes.size() && primary < 0; i++) {
			if (role(nodes.get(i)).contains("role:master") && serves(nodes.get(i), key)) {
				primary = i;
			}
		}
		if (primary < 0) {
			throw new IllegalStateException("no primary of the cluster serves " + key);
		}
		String follows = "master_port:" + nodes.get(primary).getPort();
		for (RedisURI node : nodes) {
			String role = role(node);
			if (role.contains("role:slave") && role.contains(follows)) {
				return new RedisPrimaryKill(stack, primary, node);
			}
		}
		throw new IllegalStateException("the primary " + nodes.get(primary) + " has no replica");
	}

	@Override
	public String inject() throws Exception {
		Signals.send("KILL", this.stack.pid("redis-" + (this.primary + 1)));
		return "primary redis-" + (this.primary + 1) + " killed (its replica on port " + this.replica.getPort()
				+ " takes over)";
	}

	@Override
	public void awaitRecovered(Duration timeout) {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (!role(this.replica).contains("role:master")) {
			if (System.nanoTime() > deadline) {
				throw new IllegalStateException("the replica on port " + this.replica.getPort() + " was not promoted within "
						+ timeout.toSeconds() + " s");
			}
			LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
		}
	}

	private static String role(RedisURI node) {
		RedisClient client = RedisClient.create(node);
		try (StatefulRedisConnection<String, String> connection = client.connect()) {
			return connection.sync().info("replication");
		}
		catch (RuntimeException unreachable) {
			return "";
		}
		finally {
			client.shutdown();
		}
	}

	private static boolean serves(RedisURI node, String key) {
		RedisClient client = RedisClient.create(node);
		try (StatefulRedisConnection<String, String> connection = client.connect()) {
			connection.sync().get(key);
			return true;
		}
		catch (RedisCommandExecutionException moved) {
			return false;
		}
		finally {
			client.shutdown();
		}
	}
}
