package dev.freshline.api.cache;

import java.util.List;
import java.util.Map;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.stereotype.Component;

import dev.freshline.api.freshness.CommitPositions;
import dev.freshline.cache.CacheCommands;
import dev.freshline.model.ChangeEvent;
import dev.freshline.model.Invalidation;
import dev.freshline.model.InvalidationPlan;
import dev.freshline.model.InvalidationRules;
import dev.freshline.model.Operation;

/**
 * The API's own writes invalidate right after their commit, through the same rules and the same
 * script the invalidator uses, so the writer reads its own write on any instance at once. It is
 * a shortcut, not the guarantee: if Redis fails here, or the change needs a namespace flush, the
 * change stream still does what is needed.
 */
@Component
public class CacheInvalidation {

	private static final Logger log = LoggerFactory.getLogger(CacheInvalidation.class);

	private final InvalidationRules rules;

	private final CacheCommands commands;

	private final CommitPositions positions;

	private final Counter failures;

	CacheInvalidation(InvalidationRules rules, CacheCommands commands, CommitPositions positions, MeterRegistry meters) {
		this.rules = rules;
		this.commands = commands;
		this.positions = positions;
		this.failures = meters.counter("freshline.cache.write.invalidation.failures");
	}

	/**
	 * Evicts what the rules say a committed change of {@code table} affects, from both row images,
	 * and answers the request with the commit position ({@code Freshline-After}), which the
	 * client can take to any instance.
	 */
	public void afterCommit(String table, Operation operation, @Nullable Map<String, Object> before,
			@Nullable Map<String, Object> after) {
		this.positions.answerWithCommitPosition();
		try {
			InvalidationPlan plan = this.rules.planFor(new ChangeEvent(operation, table, before, after, 0, 0));
			this.commands.invalidate(plan.invalidations());
			plan.tags().forEach(this.commands::invalidateTag);
		}
		catch (RuntimeException ex) {
			failed(table, ex);
		}
	}

	public void afterCommit(Invalidation... invalidations) {
		try {
			this.commands.invalidate(List.of(invalidations));
		}
		catch (RuntimeException ex) {
			failed(invalidations.length + " keys", ex);
		}
	}

	private void failed(String what, RuntimeException ex) {
		this.failures.increment();
		log.warn("Invalidating {} after a write failed ({}); the change stream will invalidate it", what, ex.toString());
	}
}
