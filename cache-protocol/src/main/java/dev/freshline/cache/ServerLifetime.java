package dev.freshline.cache;

import java.util.Properties;

import org.jspecify.annotations.Nullable;

import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;

import dev.freshline.model.CacheKeys;

/**
 * Which lifetime of the Redis server the cache's contents belong to. Redis gives every start of
 * its process a new random {@code run_id}; a replica promoted after a failover has its own. The
 * run id recorded in Redis itself travels with the data: a restart that loads a snapshot (RDB or
 * AOF) brings back the run id recorded when that snapshot was written, a promoted replica holds
 * the one its primary recorded. Either way the recorded id differs from the server's own, which
 * is how a server that may have lost acknowledged deletes is told from one that has not.
 */
public final class ServerLifetime {

	private final StringRedisTemplate redis;

	private final String key;

	public ServerLifetime(RedisConnectionFactory connections, CacheKeys keys) {
		this.redis = new StringRedisTemplate(connections);
		this.key = keys.serverLifetime();
	}

	/** The server's {@code run_id} now (from {@code INFO server}). */
	public String current() {
		Properties info = this.redis.execute((RedisCallback<Properties>) (connection) -> connection.serverCommands().info("server"));
		String runId = (info != null) ? info.getProperty("run_id") : null;
		if (runId == null || runId.isBlank()) {
			throw new IllegalStateException("Redis' INFO server has no run_id");
		}
		return runId.trim();
	}

	/** The run id recorded with the data, or null when none is. */
	public @Nullable String recorded() {
		return this.redis.opsForValue().get(this.key);
	}

	/** Records {@code runId} as the lifetime the data now belongs to; call only once it does. */
	public void record(String runId) {
		this.redis.opsForValue().set(this.key, runId);
	}
}
