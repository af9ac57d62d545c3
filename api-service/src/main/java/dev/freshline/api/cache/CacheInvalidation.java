package dev.freshline.api.cache;

import java.nio.charset.StandardCharsets;
import java.util.List;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.data.redis.core.RedisTemplate;
import org.springframework.data.redis.core.script.DefaultRedisScript;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.data.redis.serializer.RedisSerializer;
import org.springframework.stereotype.Component;

import dev.freshline.api.ApiProperties;
import dev.freshline.model.CacheKeys;
import dev.freshline.model.Invalidation;
import dev.freshline.model.LuaScripts;

/**
 * The API's own writes invalidate right after their commit, with the same script the
 * invalidator runs, so the writer reads its own write on any instance at once. It is a
 * shortcut, not the guarantee: if Redis fails here, the change stream still invalidates.
 */
@Component
public class CacheInvalidation {

	private static final Logger log = LoggerFactory.getLogger(CacheInvalidation.class);

	private static final RedisScript<Long> INVALIDATE = new DefaultRedisScript<>(LuaScripts.INVALIDATE, Long.class);

	private final RedisTemplate<String, byte[]> redis;

	private final CacheKeys keys;

	private final byte[] floorTtlMillis;

	private final Counter failures;

	CacheInvalidation(RedisTemplate<String, byte[]> cacheRedisTemplate, CacheKeys keys, ApiProperties properties,
			MeterRegistry meters) {
		this.redis = cacheRedisTemplate;
		this.keys = keys;
		this.floorTtlMillis = Long.toString(properties.cache().floorTtl().toMillis()).getBytes(StandardCharsets.UTF_8);
		this.failures = meters.counter("freshline.cache.write.invalidation.failures");
	}

	public void afterCommit(Invalidation... invalidations) {
		for (Invalidation invalidation : invalidations) {
			String key = invalidation.key();
			try {
				this.redis.execute(INVALIDATE,
						List.of(key, this.keys.lease(key), this.keys.floor(key)),
						Long.toString(invalidation.floor()).getBytes(StandardCharsets.UTF_8), this.floorTtlMillis);
			}
			catch (RuntimeException ex) {
				this.failures.increment();
				log.warn("Invalidating {} after a write failed ({}); the change stream will invalidate it", key,
						ex.toString());
			}
		}
	}
}
