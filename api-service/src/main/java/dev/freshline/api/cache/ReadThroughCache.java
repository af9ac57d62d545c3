package dev.freshline.api.cache;

import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.data.redis.core.RedisTemplate;
import org.springframework.data.redis.core.script.DefaultRedisScript;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.data.redis.serializer.RedisSerializer;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

import dev.freshline.api.ApiProperties;
import dev.freshline.model.LuaScripts;

/**
 * Cache-aside: read the key, on a miss load from Postgres and store the bytes with their expiry.
 * Every Redis failure is counted and logged and then ignored, so the caller always gets the
 * database's answer (I3). The stale-fill race of plain cache-aside is still open here; leases
 * and version floors close it.
 */
@Component
public class ReadThroughCache {

	private static final Logger log = LoggerFactory.getLogger(ReadThroughCache.class);

	private static final RedisScript<byte[]> READ_SLIDING = new DefaultRedisScript<>(LuaScripts.READ_SLIDING,
			byte[].class);

	private final RedisTemplate<String, byte[]> redis;

	private final Clock clock;

	private final Counter hits;

	private final Counter misses;

	private final Counter errors;

	private volatile boolean redisFailing;

	@Autowired
	ReadThroughCache(RedisTemplate<String, byte[]> cacheRedisTemplate, MeterRegistry meters) {
		this(cacheRedisTemplate, meters, Clock.systemUTC());
	}

	ReadThroughCache(RedisTemplate<String, byte[]> redis, MeterRegistry meters, Clock clock) {
		this.redis = redis;
		this.clock = clock;
		this.hits = meters.counter("freshline.cache.hits");
		this.misses = meters.counter("freshline.cache.misses");
		this.errors = meters.counter("freshline.cache.redis.errors");
	}

	/** The JSON body for {@code key}, from Redis or, on a miss, from {@code loader}; empty if not found. */
	public Optional<byte[]> read(String key, ApiProperties.Expiry expiry, Supplier<Optional<byte[]>> loader) {
		byte[] stored = get(key, expiry);
		if (stored != null) {
			this.hits.increment();
			return Optional.of(CachedValue.body(stored));
		}
		this.misses.increment();
		Optional<byte[]> loaded = loader.get();
		loaded.ifPresent((body) -> put(key, body, expiry));
		return loaded;
	}

	private byte @Nullable [] get(String key, ApiProperties.Expiry expiry) {
		try {
			byte[] stored;
			if (expiry.sliding().isZero()) {
				stored = this.redis.opsForValue().get(key);
			}
			else {
				stored = this.redis.execute(READ_SLIDING, RedisSerializer.string(), RedisSerializer.byteArray(),
						List.of(key), Long.toString(expiry.sliding().toMillis()), Long.toString(this.clock.millis()));
			}
			redisRecovered();
			return stored;
		}
		catch (RuntimeException ex) {
			redisFailed("read", ex);
			return null;
		}
	}

	private void put(String key, byte[] body, ApiProperties.Expiry expiry) {
		long ttl = jittered(expiry.ttl().toMillis(), expiry.jitter());
		long deadline = this.clock.millis() + ttl;
		long initial = expiry.sliding().isZero() ? ttl : Math.min(ttl, expiry.sliding().toMillis());
		try {
			this.redis.opsForValue().set(key, CachedValue.wrap(deadline, body), initial, TimeUnit.MILLISECONDS);
			redisRecovered();
		}
		catch (RuntimeException ex) {
			redisFailed("fill", ex);
		}
	}

	private static long jittered(long ttl, double jitter) {
		if (jitter == 0) {
			return ttl;
		}
		// spread expiries over [ttl * (1 - jitter), ttl] so a burst of fills does not expire as one
		return ttl - (long) (ThreadLocalRandom.current().nextDouble() * jitter * ttl);
	}

	private void redisFailed(String operation, RuntimeException ex) {
		this.errors.increment();
		if (!this.redisFailing) {
			this.redisFailing = true;
			log.warn("Redis {} failed, serving from Postgres until it recovers: {}", operation, ex.toString());
		}
		else {
			log.debug("Redis {} failed: {}", operation, ex.toString());
		}
	}

	private void redisRecovered() {
		if (this.redisFailing) {
			this.redisFailing = false;
			log.info("Redis answers again; reads go through the cache");
		}
	}
}
