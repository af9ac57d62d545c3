package dev.freshline.races;

import java.util.function.Predicate;

import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import org.jspecify.annotations.Nullable;

import dev.freshline.cache.audit.CachedEntryAudit;

/**
 * The audit's two reads over the stack's Redis, single or cluster alike: {@code Cache.of} takes a
 * single Redis' commands only, and a cluster connection's SCAN walks every primary in turn as
 * long as each call is given the cursor the previous one returned, which this does.
 */
final class AuditedCache {

	private static final int SCAN_COUNT = 1000;

	private AuditedCache() {
	}

	static CachedEntryAudit.Cache of(RedisClusterCommands<String, String> redis) {
		return new CachedEntryAudit.Cache() {

			@Override
			public void scan(String pattern, Predicate<String> key) {
				ScanArgs args = ScanArgs.Builder.matches(pattern).limit(SCAN_COUNT);
				KeyScanCursor<String> cursor = redis.scan(args);
				while (true) {
					for (String found : cursor.getKeys()) {
						if (!key.test(found)) {
							return;
						}
					}
					if (cursor.isFinished()) {
						return;
					}
					cursor = redis.scan(cursor, args);
				}
			}

			@Override
			public @Nullable String get(String key) {
				return redis.get(key);
			}
		};
	}
}
