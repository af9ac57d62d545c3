package dev.freshline.invalidator.invalidation;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

import dev.freshline.cache.CacheCommands;
import dev.freshline.model.ChangeEvent;
import dev.freshline.model.Invalidation;
import dev.freshline.model.InvalidationPlan;
import dev.freshline.model.InvalidationRules;

/**
 * Applies one change to Redis as the rules plan it: keys through the fill protocol's invalidate
 * script (value and lease deleted, floor raised, pipelined), then tags, then any namespace the
 * change could not be mapped into. Returns only once Redis replied, so the offset committed
 * after it never covers an invalidation that did not happen. Any Redis failure propagates to
 * the error handler, which retries the record with back-off until it succeeds.
 */
@Component
class CacheInvalidator {

	private static final Logger log = LoggerFactory.getLogger(CacheInvalidator.class);

	private final InvalidationRules rules;

	private final CacheCommands commands;

	private final NamespaceFlusher flusher;

	private final InvalidationHooks hooks;

	private final Counter keysDeleted;

	private final Counter tagsInvalidated;

	private final MeterRegistry meters;

	private final Map<String, Timer> lag = new ConcurrentHashMap<>();

	CacheInvalidator(InvalidationRules rules, CacheCommands commands, NamespaceFlusher flusher,
			ObjectProvider<InvalidationHooks> hooks, MeterRegistry meters) {
		this.rules = rules;
		this.commands = commands;
		this.flusher = flusher;
		this.hooks = hooks.getIfAvailable(() -> InvalidationHooks.NONE);
		this.keysDeleted = meters.counter("freshline.invalidator.keys.deleted");
		this.tagsInvalidated = meters.counter("freshline.invalidator.tags.invalidated");
		this.meters = meters;
	}

	void apply(ChangeEvent event) {
		InvalidationPlan plan = this.rules.planFor(event);
		if (!plan.invalidations().isEmpty()) {
			plan.invalidations().forEach((invalidation) -> this.hooks.beforeDelete(invalidation.key()));
			this.commands.invalidate(plan.invalidations());
			plan.invalidations().forEach((invalidation) -> this.hooks.afterDelete(invalidation.key()));
			this.keysDeleted.increment(plan.invalidations().size());
			if (log.isDebugEnabled()) {
				log.debug("Invalidated {}", plan.invalidations().stream().map(Invalidation::key).toList());
			}
		}
		for (String tag : plan.tags()) {
			long entries = this.commands.invalidateTag(tag);
			this.tagsInvalidated.increment();
			log.debug("Invalidated tag {} ({} entries)", tag, entries);
		}
		if (!plan.flushes().isEmpty()) {
			this.flusher.flush(plan.flushes(), String.join("; ", plan.reasons()));
		}
		if (event.commitTimeMillis() > 0) {
			lag(event.table()).record(Duration.ofMillis(Math.max(0, System.currentTimeMillis() - event.commitTimeMillis())));
		}
	}

	/** One histogram per table: the table comes from the rules (planFor refused any other), never a key. */
	private Timer lag(String table) {
		return this.lag.computeIfAbsent(table, (name) -> Timer.builder("freshline.invalidator.lag")
			.description("Commit in Postgres (the record's source timestamp) to its invalidations applied in Redis")
			.tag("table", name)
			.publishPercentiles(0.5, 0.99)
			.publishPercentileHistogram()
			.register(this.meters));
	}
}
