package dev.freshline.cache;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;
import java.util.function.Predicate;

import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisException;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisAdvancedClusterAsyncCommands;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import org.jspecify.annotations.Nullable;

import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisConnectionFactory;

/**
 * The servers that hold the cache's keys, each with a connection of its own: the one server of a
 * single Redis, every primary of a Redis Cluster. Most commands name a key and Lettuce routes
 * them to the slot's primary; the few that concern a server instead (SCAN, the run id in
 * {@code INFO}, the record of that run id) must run once on every primary, and go through here,
 * by one code path for both: a cluster is a list of three primaries, a single Redis a list of one.
 *
 * <p>A cluster's primaries are those of the client's view of the topology, which Lettuce refreshes
 * periodically and on redirects ({@code spring.data.redis.lettuce.cluster.refresh.*}); a primary
 * that failed and was replaced is visited once the view has caught up.
 */
public final class Primaries {

	private Primaries() {
	}

	/** One primary: a name for logs ({@code Redis}, or {@code Redis primary <host>:<port>}), its lowest slot (-1 on a single Redis), and commands sent to it alone. */
	public record Primary(String name, int slot, RedisCommands<byte[], byte[]> commands) {

		/** Whether this is a primary of a cluster rather than a single Redis. */
		public boolean clustered() {
			return this.slot >= 0;
		}

		/**
		 * Calls {@code key} with every key matching {@code pattern} on this primary (SCAN, {@code count}
		 * per page), until it returns false. A key that exists for the whole scan is seen at least once.
		 */
		public void scan(String pattern, int count, Predicate<String> key) {
			ScanArgs args = ScanArgs.Builder.matches(pattern).limit(count);
			KeyScanCursor<byte[]> cursor = this.commands.scan(args);
			while (true) {
				for (byte[] found : cursor.getKeys()) {
					if (!key.test(new String(found, StandardCharsets.UTF_8))) {
						return;
					}
				}
				if (cursor.isFinished()) {
					return;
				}
				cursor = this.commands.scan(cursor, args);
			}
		}
	}

	/**
	 * Runs {@code action} with every primary of the Redis behind {@code connections}, on one
	 * connection taken from it for the whole call, and returns what it returns. A primary's
	 * commands are Lettuce's own, which Spring's template does not translate: their failures
	 * (not connected, a timeout, an error reply) come out as {@link CacheCommandException}, as
	 * the pipelined commands' do, so that callers see one kind of failure for Redis.
	 */
	public static <T extends @Nullable Object> T with(RedisConnectionFactory connections, Function<List<Primary>, T> action) {
		try (RedisConnection connection = connections.getConnection()) {
			return action.apply(of(connection));
		}
		catch (RedisException ex) {
			throw new CacheCommandException("Redis failed a command sent to its primaries", ex);
		}
	}

	/** As {@link Primary#scan} on every primary in turn, until {@code key} returns false. */
	public static void scan(RedisConnectionFactory connections, String pattern, int count, Predicate<String> key) {
		with(connections, (primaries) -> {
			boolean[] more = { true };
			for (Primary primary : primaries) {
				primary.scan(pattern, count, (found) -> more[0] = key.test(found));
				if (!more[0]) {
					break;
				}
			}
			return null;
		});
	}

	/**
	 * The primaries behind a Spring Data Redis connection, from its native Lettuce connection:
	 * a cluster connection's upstream nodes that serve slots, or the one server of a standalone
	 * connection.
	 */
	@SuppressWarnings("unchecked")
	static List<Primary> of(RedisConnection connection) {
		Object commands = connection.getNativeConnection();
		if (commands instanceof RedisAdvancedClusterAsyncCommands<?, ?> cluster) {
			StatefulRedisClusterConnection<byte[], byte[]> stateful = (StatefulRedisClusterConnection<byte[], byte[]>) cluster
				.getStatefulConnection();
			List<Primary> primaries = new ArrayList<>();
			for (RedisClusterNode node : stateful.getPartitions()) {
				// a primary marked failed that still serves slots is kept: commands to it fail and the
				// caller retries, where skipping it would let a flush succeed without its keys, which
				// the replica about to replace it still holds
				if (node.is(RedisClusterNode.NodeFlag.UPSTREAM) && !node.getSlots().isEmpty()) {
					String name = "Redis primary " + node.getUri().getHost() + ":" + node.getUri().getPort();
					int lowest = node.getSlots().stream().min(Comparator.naturalOrder()).orElseThrow();
					primaries.add(new Primary(name, lowest, stateful.getConnection(node.getNodeId()).sync()));
				}
			}
			if (primaries.isEmpty()) {
				throw new IllegalStateException("the Redis Cluster's topology names no primary that serves slots");
			}
			return primaries;
		}
		if (commands instanceof RedisAsyncCommands<?, ?> single) {
			return List.of(new Primary("Redis", -1,
					((RedisAsyncCommands<byte[], byte[]>) single).getStatefulConnection().sync()));
		}
		throw new IllegalStateException("not a Lettuce connection: " + commands.getClass().getName());
	}
}
