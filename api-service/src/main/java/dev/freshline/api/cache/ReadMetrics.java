package dev.freshline.api.cache;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The read path's meters and its fail-open bookkeeping, shared by both {@link CacheReader}s so a
 * dashboard or a test reads the same counters whichever one runs. Every Redis failure is counted;
 * the first of a run is logged as a warning, the rest at debug until Redis answers again.
 */
final class ReadMetrics {

	private static final Logger log = LoggerFactory.getLogger(ReadMetrics.class);

	private final Counter hits;

	private final Counter misses;

	private final Counter loads;

	private final Counter fills;

	private final Counter fillsRejected;

	private final Counter leaseWaits;

	private final Counter errors;

	private volatile boolean redisFailing;

	ReadMetrics(MeterRegistry meters) {
		this.hits = meters.counter("freshline.cache.hits");
		this.misses = meters.counter("freshline.cache.misses");
		// every Postgres read of the read path, counted where it happens: a miss, a lease wait that
		// timed out and Redis failing open all read Postgres, and only the first two count a miss
		this.loads = meters.counter("freshline.cache.loads");
		this.fills = meters.counter("freshline.cache.fills");
		this.fillsRejected = meters.counter("freshline.cache.fills.rejected");
		this.leaseWaits = meters.counter("freshline.cache.lease.waits");
		this.errors = meters.counter("freshline.cache.redis.errors");
	}

	void hit() {
		this.hits.increment();
	}

	void miss() {
		this.misses.increment();
	}

	void loaded() {
		this.loads.increment();
	}

	void filled() {
		this.fills.increment();
	}

	void fillRejected() {
		this.fillsRejected.increment();
	}

	void leaseWait() {
		this.leaseWaits.increment();
	}

	void redisFailed(String operation, RuntimeException ex) {
		this.errors.increment();
		if (!this.redisFailing) {
			this.redisFailing = true;
			log.warn("Redis {} failed, serving from Postgres until it recovers: {}", operation, ex.toString());
		}
		else {
			log.debug("Redis {} failed: {}", operation, ex.toString());
		}
	}

	void redisRecovered() {
		if (this.redisFailing) {
			this.redisFailing = false;
			log.info("Redis answers again; reads go through the cache");
		}
	}
}
