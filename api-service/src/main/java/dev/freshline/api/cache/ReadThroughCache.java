package dev.freshline.api.cache;

import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.freshline.api.ApiProperties;
import dev.freshline.api.freshness.BypassReason;
import dev.freshline.api.cache.ReadMetrics.LoadCause;
import dev.freshline.cache.CacheCommands;
import dev.freshline.cache.FillCommands;
import dev.freshline.cache.FillOutcome;
import dev.freshline.cache.ReadReply;

/**
 * Stale-set-proof cache-aside (docs/design.md, the fill protocol). A miss takes a lease before it
 * reads Postgres, and its fill is stored only if it still holds the lease and its version is
 * not below the key's floor: an invalidation in between deletes the lease and raises the
 * floor, so a slow reader can never write an old row back. Readers that find the lease taken
 * wait briefly for the holder's fill (one Postgres read per hot key, not one per reader), and
 * take the lease over if the holder's fill was refused or the holder died.
 * An entry that carries tags is registered in their indexes after its lease and before its
 * read, so a tag invalidation either sees the registration or happened before the read; a read
 * that stores nothing (its fill refused, its lease given back) removes its registration again.
 * "Not found" is cached too (an empty body), briefly, and guarded like any fill: the row's
 * INSERT raises the floor above the version 0 it was loaded with.
 * Every Redis failure is counted and ignored: the caller always gets Postgres' answer (I3).
 * The protocol's commands are cache-protocol's {@link FillCommands}; this class is the policy
 * around them: the wait loop, fail-open, expiry and metrics.
 */
class ReadThroughCache implements CacheReader {

	private static final Logger log = LoggerFactory.getLogger(ReadThroughCache.class);

	private static final byte[] NOT_FOUND = new byte[0];

	private final FillCommands protocol;

	private final CacheCommands commands;

	private final ApiProperties.Cache settings;

	private final FillHooks hooks;

	private final Clock clock;

	private final ReadMetrics metrics;

	ReadThroughCache(FillCommands protocol, CacheCommands commands, ApiProperties.Cache settings, FillHooks hooks,
			ReadMetrics metrics, Clock clock) {
		this.protocol = protocol;
		this.commands = commands;
		this.settings = settings;
		this.hooks = hooks;
		this.clock = clock;
		this.metrics = metrics;
	}

	/** The JSON body for {@code key}, from Redis or, on a miss, from {@code loader}; empty if not found. */
	Optional<byte[]> read(String key, ApiProperties.Expiry expiry, Supplier<Optional<Loaded>> loader) {
		return read(key, List.of(), expiry, loader).body();
	}

	/**
	 * As {@link #read(String, ApiProperties.Expiry, Supplier)}, for an entry registered in
	 * {@code tagIndexes} when it is filled.
	 */
	@Override
	public CacheRead read(String key, List<String> tagIndexes, ApiProperties.Expiry expiry,
			Supplier<Optional<Loaded>> loader) {
		String token = UUID.randomUUID().toString();
		long deadline = System.nanoTime() + this.settings.leaseWait().toNanos();
		long pause = 2;
		boolean waiting = false;
		while (true) {
			ReadReply reply;
			try {
				reply = this.protocol.read(key, token, this.settings.lease(), expiry.sliding(), this.clock.millis());
				this.metrics.redisRecovered();
			}
			catch (RuntimeException ex) {
				this.metrics.redisFailed("read", ex);
				this.metrics.bypassed(BypassReason.REDIS_FAILED);
				return CacheRead.bypass(load(key, LoadCause.FAIL_OPEN, loader).map(Loaded::body));
			}
			if (reply.outcome() == ReadReply.Outcome.HIT) {
				byte[] body = reply.body();
				return CacheRead.hit((body.length == 0) ? Optional.empty() : Optional.of(body));
			}
			if (reply.outcome() == ReadReply.Outcome.LEASED) {
				return CacheRead.miss(loadAndFill(key, tagIndexes, token, expiry, loader));
			}
			// BUSY: another reader is loading. Ask again with growing pauses: its fill turns this
			// into a hit; if its fill was refused or it died, the lease is free and this reader
			// takes it. Past leaseWait, read Postgres without filling.
			if (!waiting) {
				waiting = true;
				this.metrics.leaseWait();
				this.hooks.beforeLeaseWait(key);
			}
			long left = deadline - System.nanoTime();
			if (left <= 0 || !pause(Math.min(pause, Math.max(1, left / 1_000_000)))) {
				log.debug("Lease on {} still held after {}; reading Postgres without filling", key, this.settings.leaseWait());
				return CacheRead.miss(load(key, LoadCause.LEASE_TIMEOUT, loader).map(Loaded::body));
			}
			pause = Math.min(pause * 2, 50);
		}
	}

	@Override
	public Optional<byte[]> peek(String key) {
		return CacheReads.peek(this.protocol, this.metrics, key);
	}

	private Optional<byte[]> loadAndFill(String key, List<String> tagIndexes, String token, ApiProperties.Expiry expiry,
			Supplier<Optional<Loaded>> loader) {
		this.hooks.afterLease(key);
		if (!tagIndexes.isEmpty() && !register(key, tagIndexes, token, expiry)) {
			// an entry no tag invalidation could find must not be stored. Redis just failed: no
			// unregistration (another timeout); a member that did land goes at its expiry
			release(key, List.of(), token);
			return load(key, LoadCause.FAIL_OPEN, loader).map(Loaded::body);
		}
		Optional<Loaded> loaded;
		try {
			loaded = load(key, LoadCause.MISS, loader);
		}
		catch (RuntimeException ex) {
			// give the lease back now: held until it expires, it would make every reader of the key
			// wait out lease-wait before reading Postgres itself
			release(key, tagIndexes, token);
			throw ex;
		}
		boolean stored = true;
		if (loaded.isPresent()) {
			this.hooks.beforeFill(key);
			stored = fill(key, token, loaded.get(), expiry.ttl().toMillis(), expiry);
		}
		else if (!expiry.notFound().isZero()) {
			// version 0: any floor (the row's INSERT sets one) refuses this fill
			this.hooks.beforeFill(key);
			stored = fill(key, token, new Loaded(NOT_FOUND, 0), expiry.notFound().toMillis(), expiry);
		}
		else {
			release(key, tagIndexes, token);
		}
		if (!stored) {
			// a refused fill names no entry: its registration would only grow the index
			unregister(key, tagIndexes, token);
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
			this.metrics.redisFailed("tag registration", ex);
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

	/** @return false only if Redis refused the fill; a Redis failure may have stored it */
	private boolean fill(String key, String token, Loaded loaded, long ttlMillis, ApiProperties.Expiry expiry) {
		long ttl = CacheReads.jittered(ttlMillis, expiry.jitter());
		long initial = expiry.sliding().isZero() ? ttl : Math.min(ttl, expiry.sliding().toMillis());
		long deadline = this.clock.millis() + ttl;
		try {
			FillOutcome outcome = this.protocol.fill(key, token, loaded.body(), loaded.version(), deadline, initial);
			recordFill(key, outcome);
			this.metrics.redisRecovered();
			return outcome == FillOutcome.STORED;
		}
		catch (RuntimeException ex) {
			this.metrics.redisFailed("fill", ex);
			return true;
		}
	}

	private void recordFill(String key, FillOutcome outcome) {
		if (outcome == FillOutcome.STORED) {
			this.metrics.filled();
		}
		else {
			this.metrics.fillRejected();
			log.debug("Fill of {} rejected ({}): invalidated while it was loading", key,
					(outcome == FillOutcome.BELOW_FLOOR) ? "below the version floor" : "lease lost");
		}
	}

	private void release(String key, List<String> tagIndexes, String token) {
		try {
			this.protocol.release(key, token);
		}
		catch (RuntimeException ex) {
			// the lease expires on its own
			this.metrics.redisFailed("release", ex);
		}
		unregister(key, tagIndexes, token);
	}

	private void unregister(String key, List<String> tagIndexes, String token) {
		if (tagIndexes.isEmpty()) {
			return;
		}
		try {
			this.commands.unregister(tagIndexes, key, token);
		}
		catch (RuntimeException ex) {
			// the member goes when its expiry passes, at the index's next registration
			this.metrics.redisFailed("tag unregistration", ex);
		}
	}

	private Optional<Loaded> load(String key, LoadCause cause, Supplier<Optional<Loaded>> loader) {
		return CacheReads.load(this.hooks, this.metrics, key, cause, loader);
	}
}
