package dev.freshline.races;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.cluster.api.sync.RedisAdvancedClusterCommands;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.lettuce.core.cluster.models.partitions.ClusterPartitionParser;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import org.jspecify.annotations.Nullable;

import dev.freshline.cache.audit.CachedEntryAudit;

/**
 * The audit's two reads over the stack's Redis, single or cluster alike: {@code Cache.of} takes a
 * single Redis' commands only. On a cluster each primary that serves slots is scanned in turn, as
 * {@code Primaries} does for the services: Lettuce's own cluster-wide SCAN also visits a killed
 * primary the topology still lists (without slots), and fails there.
 */
final class AuditedCache {

	private static final int SCAN_COUNT = 1000;

	private AuditedCache() {
	}

	static CachedEntryAudit.Cache of(RedisClusterCommands<String, String> redis) {
		return new CachedEntryAudit.Cache() {

			@Override
			public void scan(String pattern, Predicate<String> key) {
				for (RedisClusterCommands<String, String> server : servers(redis)) {
					if (!scanAll(server, pattern, key)) {
						return;
					}
				}
			}

			@Override
			public @Nullable String get(String key) {
				return redis.get(key);
			}
		};
	}

	/** The primaries that serve slots, each on a connection of its own; the one server of a single Redis. */
	private static List<RedisClusterCommands<String, String>> servers(RedisClusterCommands<String, String> redis) {
		if (!(redis instanceof RedisAdvancedClusterCommands<String, String> cluster)) {
			return List.of(redis);
		}
		List<RedisClusterCommands<String, String>> primaries = new ArrayList<>();
		// the cluster's own view (CLUSTER NODES), fresh after a failover whatever the client's refresh did
		for (RedisClusterNode node : ClusterPartitionParser.parse(cluster.clusterNodes())) {
			if (node.is(RedisClusterNode.NodeFlag.UPSTREAM) && !node.getSlots().isEmpty()) {
				primaries.add(cluster.getConnection(node.getNodeId()));
			}
		}
		return primaries;
	}

	/** @return false once {@code key} returned false */
	private static boolean scanAll(RedisClusterCommands<String, String> server, String pattern, Predicate<String> key) {
		ScanArgs args = ScanArgs.Builder.matches(pattern).limit(SCAN_COUNT);
		KeyScanCursor<String> cursor = server.scan(args);
		while (true) {
			for (String found : cursor.getKeys()) {
				if (!key.test(found)) {
					return false;
				}
			}
			if (cursor.isFinished()) {
				return true;
			}
			cursor = server.scan(cursor, args);
		}
	}
}
