package dev.freshline.api.cache;

import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.springframework.data.redis.core.RedisTemplate;

import dev.freshline.api.ApiProperties;
import dev.freshline.api.freshness.BypassReason;
import dev.freshline.api.cache.ReadMetrics.LoadCause;
import dev.freshline.cache.CachedValue;
import dev.freshline.cache.FillCommands;

/**
 * The textbook cache-aside (get; on a miss, load and set), kept only to show what the lease and
 * the floor prevent: tests and the torture checker select it with
 * {@code freshline.api.cache.protocol=NAIVE} and count the stale values it leaves behind. It
 * writes the same {@link CachedValue} format, counts hits, misses and Redis failures on the same
 * meters, and serves Postgres' answer when Redis fails, as {@link ReadThroughCache} does, so only
 * the protocol differs. Tags are ignored: nothing is registered.
 */
final class NaiveCacheAside implements CacheReader {

	private final RedisTemplate<String, byte[]> redis;

	private final FillCommands protocol;

	private final FillHooks hooks;

	private final Clock clock;

	private final ReadMetrics metrics;

	NaiveCacheAside(RedisTemplate<String, byte[]> redis, FillCommands protocol, FillHooks hooks, ReadMetrics metrics,
			Clock clock) {
		this.redis = redis;
		this.protocol = protocol;
		this.hooks = hooks;
		this.clock = clock;
		this.metrics = metrics;
	}

	@Override
	public CacheRead read(String key, List<String> tagIndexes, ApiProperties.Expiry expiry,
			Supplier<Optional<Loaded>> loader) {
		try {
			byte[] stored = this.redis.opsForValue().get(key);
			if (stored != null) {
				return CacheRead.hit(Optional.of(CachedValue.body(stored)));
			}
		}
		catch (RuntimeException ex) {
			this.metrics.redisFailed("read", ex);
			this.metrics.bypassed(BypassReason.REDIS_FAILED);
			return CacheRead.bypass(load(key, LoadCause.FAIL_OPEN, loader).map(Loaded::body));
		}
		this.hooks.afterLease(key);
		Optional<Loaded> loaded = load(key, LoadCause.MISS, loader);
		loaded.ifPresent((row) -> {
			this.hooks.beforeFill(key);
			long ttl = CacheReads.jittered(expiry.ttl().toMillis(), expiry.jitter());
			try {
				this.redis.opsForValue()
					.set(key, CachedValue.wrap(this.clock.millis() + ttl, row.body()), ttl, TimeUnit.MILLISECONDS);
				this.metrics.filled();
			}
			catch (RuntimeException ex) {
				this.metrics.redisFailed("fill", ex);
			}
		});
		return CacheRead.miss(loaded.map(Loaded::body));
	}

	/** As the fill protocol's peek: a plain GET, which takes no lease with either protocol. */
	@Override
	public Optional<byte[]> peek(String key) {
		return CacheReads.peek(this.protocol, this.metrics, key);
	}

	private Optional<Loaded> load(String key, LoadCause cause, Supplier<Optional<Loaded>> loader) {
		return CacheReads.load(this.hooks, this.metrics, key, cause, loader);
	}
}
