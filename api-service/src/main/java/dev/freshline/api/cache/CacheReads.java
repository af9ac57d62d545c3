package dev.freshline.api.cache;

import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

import dev.freshline.cache.FillCommands;

/**
 * The steps both {@link CacheReader}s take the same way: the lease-free peek, the Postgres load
 * with its hook, and the expiry jitter. Here so the NAIVE negative control shares them with the
 * fill protocol's reader without depending on it, and the two differ only in the protocol.
 */
final class CacheReads {

	private CacheReads() {
	}

	/**
	 * The fill protocol's peek, a plain GET that takes no lease, failing open: a Redis failure
	 * is counted and reads as nothing cached.
	 */
	static Optional<byte[]> peek(FillCommands protocol, ReadMetrics metrics, String key) {
		try {
			// a cached "not found" is an empty body: nothing to serve
			return protocol.peek(key);
		}
		catch (RuntimeException ex) {
			metrics.redisFailed("read", ex);
			return Optional.empty();
		}
	}

	/**
	 * Reads Postgres through {@code loader}, counted in {@code freshline.cache.loads} under
	 * {@code cause}, then passes the hook race tests stop at and count loads with.
	 */
	static Optional<Loaded> load(FillHooks hooks, ReadMetrics metrics, String key, ReadMetrics.LoadCause cause,
			Supplier<Optional<Loaded>> loader) {
		metrics.loaded(cause);
		Optional<Loaded> loaded = loader.get();
		hooks.afterDatabaseRead(key);
		return loaded;
	}

	/** Spreads expiries over [ttl * (1 - jitter), ttl] so a burst of fills does not expire as one. */
	static long jittered(long ttl, double jitter) {
		if (jitter == 0) {
			return ttl;
		}
		return ttl - (long) (ThreadLocalRandom.current().nextDouble() * jitter * ttl);
	}
}
