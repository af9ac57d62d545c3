package dev.freshline.api.cache;

import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.freshline.api.freshness.BypassReason;
import dev.freshline.model.Namespace;

/**
 * The read path's meters and its fail-open bookkeeping, shared by both {@link CacheReader}s so a
 * dashboard or a test reads the same counters whichever one runs. Every Redis failure is counted;
 * the first of a run is logged as a warning, the rest at debug until Redis answers again.
 */
final class ReadMetrics {

	static final String REQUESTS = "freshline.cache.requests";

	private static final Logger log = LoggerFactory.getLogger(ReadMetrics.class);

	private final Map<LoadCause, Counter> loads = new EnumMap<>(LoadCause.class);

	private final Counter fills;

	private final Counter fillsRejected;

	private final Counter leaseWaits;

	private final Counter errors;

	private final Map<BypassReason, Counter> bypassed = new EnumMap<>(BypassReason.class);

	private volatile boolean redisFailing;

	private final MeterRegistry meters;

	ReadMetrics(MeterRegistry meters) {
		this.meters = meters;
		// every Postgres read of the read path, counted where it happens and tagged with why: a
		// miss, a lease wait that timed out and Redis failing open all read Postgres, and only the
		// first two count a miss. Kept apart so a hot key's one read per invalidation can be told
		// from the reads a slow Redis costs
		for (LoadCause cause : LoadCause.values()) {
			this.loads.put(cause, meters.counter("freshline.cache.loads", "cause", cause.tag()));
		}
		this.fills = meters.counter("freshline.cache.fills");
		this.fillsRejected = meters.counter("freshline.fills.rejected");
		this.leaseWaits = meters.counter("freshline.lease.waits");
		this.errors = meters.counter("freshline.cache.redis.errors");
		for (BypassReason reason : BypassReason.values()) {
			this.bypassed.put(reason, meters.counter("freshline.cache.bypassed", "reason", reason.tag()));
		}
	}

	/** The requests of {@code namespace}'s cache, by outcome; registered now, so each series exists from the start. */
	Requests requests(Namespace namespace) {
		Map<CacheOutcome, Counter> served = new EnumMap<>(CacheOutcome.class);
		for (CacheOutcome outcome : CacheOutcome.values()) {
			served.put(outcome, Counter.builder(REQUESTS)
				.description("Reads through the cache: hit (from Redis), miss (from Postgres, filled or not), bypass (from Postgres, Redis not asked)")
				.tag("namespace", namespace.id())
				.tag("result", outcome.value())
				.register(this.meters));
		}
		return new Requests(served);
	}

	void loaded(LoadCause cause) {
		this.loads.get(cause).increment();
	}

	/** A read served from Postgres without asking Redis, and why. */
	void bypassed(BypassReason reason) {
		this.bypassed.get(reason).increment();
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

	/**
	 * One namespace's request counters. Counting and the response header go together, so the
	 * header a client sees and the rate a dashboard shows cannot disagree.
	 */
	static final class Requests {

		private final Map<CacheOutcome, Counter> served;

		private Requests(Map<CacheOutcome, Counter> served) {
			this.served = served;
		}

		void served(CacheOutcome outcome) {
			this.served.get(outcome).increment();
			CacheOutcome.record(outcome);
		}
	}

	/** Why the read path read Postgres: the {@code cause} tag of {@code freshline.cache.loads}. */
	enum LoadCause {

		/** Redis held no value and this reader took the lease (or runs without one). */
		MISS,

		/** Another reader held the lease past {@code lease-wait}. */
		LEASE_TIMEOUT,

		/** Redis failed or was too slow to answer: read Postgres, fill nothing. */
		FAIL_OPEN,

		/** The freshness fence bypassed the cache: read Postgres, fill nothing. */
		FENCE;

		String tag() {
			return name().toLowerCase(Locale.ROOT).replace('_', '-');
		}
	}
}
