package dev.freshline.api.cache;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.redis.core.RedisTemplate;
import org.springframework.data.redis.core.script.DefaultRedisScript;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.data.redis.serializer.RedisSerializer;
import org.springframework.stereotype.Component;

import dev.freshline.api.ApiProperties;
import dev.freshline.cache.CacheCommands;
import dev.freshline.cache.CachedValue;
import dev.freshline.cache.LuaScripts;
import dev.freshline.model.CacheKeys;

/**
 * Stale-set-proof cache-aside (DESIGN.md, the fill protocol). A miss takes a lease before it
 * reads Postgres, and its fill is stored only if it still holds the lease and its version is
 * not below the key's floor: an invalidation in between deletes the lease and raises the
 * floor, so a slow reader can never write an old row back. Readers that find the lease taken
 * wait briefly for the holder's fill (one Postgres read per hot key, not one per reader), and
 * take the lease over if the holder's fill was refused or the holder died.
 * An entry that carries tags is registered in their indexes after its lease and before its
 * read, so a tag invalidation either sees the registration or happened before the read.
 * "Not found" is cached too (an empty body), briefly, and guarded like any fill: the row's
 * INSERT raises the floor above the version 0 it was loaded with.
 * Every Redis failure is counted and ignored: the caller always gets Postgres' answer (I3).
 */
@Component
public class ReadThroughCache {

	private static final Logger log = LoggerFactory.getLogger(ReadThroughCache.class);

	@SuppressWarnings({ "rawtypes", "unchecked" })
	private static final RedisScript<List<Object>> READ = (RedisScript) new DefaultRedisScript<>(LuaScripts.READ,
			List.class);

	private static final RedisScript<Long> FILL = new DefaultRedisScript<>(LuaScripts.FILL, Long.class);

	private static final RedisScript<Long> RELEASE = new DefaultRedisScript<>(LuaScripts.RELEASE, Long.class);

	private static final byte[] NOT_FOUND = new byte[0];

	private final RedisTemplate<String, byte[]> redis;

	private final CacheKeys keys;

	private final CacheCommands commands;

	private final ApiProperties.Cache settings;

	private final FillHooks hooks;

	private final Clock clock;

	private final Counter hits;

	private final Counter misses;

	private final Counter fills;

	private final Counter fillsRejected;

	private final Counter leaseWaits;

	private final Counter errors;

	private volatile boolean redisFailing;

	@Autowired
	ReadThroughCache(RedisTemplate<String, byte[]> cacheRedisTemplate, CacheKeys keys, CacheCommands commands,
			ApiProperties properties, ObjectProvider<FillHooks> hooks, MeterRegistry meters) {
		this(cacheRedisTemplate, keys, commands, properties.cache(), hooks.getIfAvailable(() -> FillHooks.NONE), meters,
				Clock.systemUTC());
	}

	ReadThroughCache(RedisTemplate<String, byte[]> redis, CacheKeys keys, CacheCommands commands,
			ApiProperties.Cache settings, FillHooks hooks, MeterRegistry meters, Clock clock) {
		this.redis = redis;
		this.keys = keys;
		this.commands = commands;
		this.settings = settings;
		this.hooks = hooks;
		this.clock = clock;
		this.hits = meters.counter("freshline.cache.hits");
		this.misses = meters.counter("freshline.cache.misses");
		this.fills = meters.counter("freshline.cache.fills");
		this.fillsRejected = meters.counter("freshline.cache.fills.rejected");
		this.leaseWaits = meters.counter("freshline.cache.lease.waits");
		this.errors = meters.counter("freshline.cache.redis.errors");
	}

	/** The JSON body for {@code key}, from Redis or, on a miss, from {@code loader}; empty if not found. */
	public Optional<byte[]> read(String key, ApiProperties.Expiry expiry, Supplier<Optional<Loaded>> loader) {
		return read(key, List.of(), expiry, loader);
	}

	/**
	 * As {@link #read(String, ApiProperties.Expiry, Supplier)}, for an entry registered in
	 * {@code tagIndexes} when it is filled.
	 */
	public Optional<byte[]> read(String key, List<String> tagIndexes, ApiProperties.Expiry expiry,
			Supplier<Optional<Loaded>> loader) {
		if (this.settings.protocol() == ApiProperties.FillProtocol.NAIVE) {
			return readNaively(key, expiry, loader);
		}
		String token = UUID.randomUUID().toString();
		long deadline = System.nanoTime() + this.settings.leaseWait().toNanos();
		long pause = 2;
		boolean waiting = false;
		while (true) {
			List<Object> reply;
			try {
				reply = this.redis.execute(READ, List.of(key, this.keys.lease(key)), bytes(token),
						bytes(this.settings.lease().toMillis()), bytes(expiry.sliding().toMillis()),
						bytes(this.clock.millis()));
				redisRecovered();
			}
			catch (RuntimeException ex) {
				redisFailed("read", ex);
				return load(key, loader).map(Loaded::body);
			}
			long outcome = (reply == null) ? 0 : (Long) reply.get(0);
			if (outcome == LuaScripts.HIT) {
				this.hits.increment();
				byte[] body = CachedValue.body((byte[]) reply.get(1));
				return (body.length == 0) ? Optional.empty() : Optional.of(body);
			}
			if (outcome == LuaScripts.LEASED) {
				this.misses.increment();
				return loadAndFill(key, tagIndexes, token, expiry, loader);
			}
			// BUSY: another reader is loading. Ask again with growing pauses: its fill turns this
			// into a hit; if its fill was refused or it died, the lease is free and this reader
			// takes it. Past leaseWait, read Postgres without filling.
			if (!waiting) {
				waiting = true;
				this.leaseWaits.increment();
				this.hooks.beforeLeaseWait(key);
			}
			long left = deadline - System.nanoTime();
			if (left <= 0 || !pause(Math.min(pause, Math.max(1, left / 1_000_000)))) {
				this.misses.increment();
				log.debug("Lease on {} still held after {}; reading Postgres without filling", key, this.settings.leaseWait());
				return load(key, loader).map(Loaded::body);
			}
			pause = Math.min(pause * 2, 50);
		}
	}

	/** The cached body, if any, without taking a lease (nothing will be filled); empty for a cached "not found". */
	public Optional<byte[]> peek(String key) {
		try {
			byte[] stored = this.redis.opsForValue().get(key);
			// a cached "not found" is an empty body: nothing to serve
			return Optional.ofNullable(stored).map(CachedValue::body).filter((body) -> body.length > 0);
		}
		catch (RuntimeException ex) {
			redisFailed("read", ex);
			return Optional.empty();
		}
	}

	private Optional<byte[]> loadAndFill(String key, List<String> tagIndexes, String token, ApiProperties.Expiry expiry,
			Supplier<Optional<Loaded>> loader) {
		this.hooks.afterLease(key);
		if (!tagIndexes.isEmpty() && !register(key, tagIndexes, token, expiry)) {
			// an entry no tag invalidation could find must not be stored
			release(key, token);
			return load(key, loader).map(Loaded::body);
		}
		Optional<Loaded> loaded;
		try {
			loaded = load(key, loader);
		}
		catch (RuntimeException ex) {
			// give the lease back now: held until it expires, it would make every reader of the key
			// wait out lease-wait before reading Postgres itself
			release(key, token);
			throw ex;
		}
		if (loaded.isPresent()) {
			this.hooks.beforeFill(key);
			fill(key, token, loaded.get(), expiry.ttl().toMillis(), expiry);
		}
		else if (!expiry.notFound().isZero()) {
			// version 0: any floor (the row's INSERT sets one) refuses this fill
			this.hooks.beforeFill(key);
			fill(key, token, new Loaded(NOT_FOUND, 0), expiry.notFound().toMillis(), expiry);
		}
		else {
			release(key, token);
		}
		return loaded.map(Loaded::body);
	}

	private boolean register(String key, List<String> tagIndexes, String token, ApiProperties.Expiry expiry) {
		try {
			// the index must outlive every entry it names: the longest TTL plus a lease
			this.commands.register(tagIndexes, key, token, expiry.ttl().plus(this.settings.lease()));
			return true;
		}
		catch (RuntimeException ex) {
			redisFailed("tag registration", ex);
			return false;
		}
	}

	private static boolean pause(long millis) {
		try {
			TimeUnit.MILLISECONDS.sleep(millis);
			return true;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return false;
		}
	}

	private void fill(String key, String token, Loaded loaded, long ttlMillis, ApiProperties.Expiry expiry) {
		long ttl = jittered(ttlMillis, expiry.jitter());
		long initial = expiry.sliding().isZero() ? ttl : Math.min(ttl, expiry.sliding().toMillis());
		byte[] stored = CachedValue.wrap(this.clock.millis() + ttl, loaded.body());
		try {
			Long result = this.redis.execute(FILL,
					List.of(key, this.keys.lease(key), this.keys.floor(key)), bytes(token), stored,
					bytes(loaded.version()), bytes(initial));
			recordFill(key, result);
			redisRecovered();
		}
		catch (RuntimeException ex) {
			redisFailed("fill", ex);
		}
	}

	private void recordFill(String key, @Nullable Long result) {
		if (result != null && result == 1) {
			this.fills.increment();
		}
		else {
			this.fillsRejected.increment();
			log.debug("Fill of {} rejected ({}): invalidated while it was loading", key,
					(result != null && result < 0) ? "below the version floor" : "lease lost");
		}
	}

	private void release(String key, String token) {
		try {
			this.redis.execute(RELEASE, List.of(this.keys.lease(key)), bytes(token));
		}
		catch (RuntimeException ex) {
			// the lease expires on its own
			redisFailed("release", ex);
		}
	}

	/** The textbook cache-aside, kept to show what the lease and the floor prevent. */
	private Optional<byte[]> readNaively(String key, ApiProperties.Expiry expiry, Supplier<Optional<Loaded>> loader) {
		try {
			byte[] stored = this.redis.opsForValue().get(key);
			if (stored != null) {
				this.hits.increment();
				return Optional.of(CachedValue.body(stored));
			}
		}
		catch (RuntimeException ex) {
			redisFailed("read", ex);
			return load(key, loader).map(Loaded::body);
		}
		this.misses.increment();
		this.hooks.afterLease(key);
		Optional<Loaded> loaded = load(key, loader);
		loaded.ifPresent((row) -> {
			this.hooks.beforeFill(key);
			long ttl = jittered(expiry.ttl().toMillis(), expiry.jitter());
			try {
				this.redis.opsForValue()
					.set(key, CachedValue.wrap(this.clock.millis() + ttl, row.body()), ttl, TimeUnit.MILLISECONDS);
				this.fills.increment();
			}
			catch (RuntimeException ex) {
				redisFailed("fill", ex);
			}
		});
		return loaded.map(Loaded::body);
	}

	private Optional<Loaded> load(String key, Supplier<Optional<Loaded>> loader) {
		Optional<Loaded> loaded = loader.get();
		this.hooks.afterDatabaseRead(key);
		return loaded;
	}

	private static byte[] bytes(Object value) {
		return String.valueOf(value).getBytes(StandardCharsets.UTF_8);
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
