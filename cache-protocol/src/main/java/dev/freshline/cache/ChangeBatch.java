package dev.freshline.cache;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.jspecify.annotations.Nullable;

import dev.freshline.model.ChangeEvent;
import dev.freshline.model.ChangeEventParser;
import dev.freshline.model.InvalidIdException;
import dev.freshline.model.Invalidation;
import dev.freshline.model.InvalidationPlan;
import dev.freshline.model.InvalidationRules;
import dev.freshline.model.MalformedChangeEventException;
import dev.freshline.model.Namespace;
import dev.freshline.model.UnmappableChangeEventException;

/**
 * The invalidations of many change records, merged so Redis sees each key once per batch: the
 * invalidate script deletes value and lease and raises the floor to the maximum, so one call
 * with the highest floor leaves exactly the state of every call in turn. The one home of that
 * merge: the invalidator's live path and {@code ops replay} both plan with it, so a replay
 * evicts what the live path would have.
 */
public final class ChangeBatch {

	/** What became of one record. */
	public enum Kind {
		/** Planned: its invalidations are in the batch. */
		PLANNED,
		/** A null value (Debezium's tombstone after a delete): the delete itself carried the keys. */
		TOMBSTONE,
		/**
		 * A watermark marker (a record with the header {@code Watermark.HEADER}): a position of the
		 * change stream, no change; it invalidates nothing and is never unreadable, whatever its value.
		 */
		MARKER,
		/** Could not be read or mapped: {@link #add} said whether its table's namespaces are flushed instead. */
		FAILED
	}

	/**
	 * One record's outcome: its change and plan when {@link Kind#PLANNED}, what was wrong with it
	 * when {@link Kind#FAILED}.
	 */
	public record Outcome(Kind kind, @Nullable ChangeEvent event, @Nullable InvalidationPlan plan,
			@Nullable RuntimeException failure) {

		/** Why the record could not be read or mapped, or null. */
		public @Nullable String error() {
			return (this.failure != null) ? this.failure.getMessage() : null;
		}
	}

	/**
	 * Named points of {@link #apply(CacheCommands, Steps)}, so a caller can log, count, or stop
	 * there (the invalidator's race hooks). The default does nothing.
	 */
	public interface Steps {

		Steps NONE = new Steps() {
		};

		default void beforeFlush(Namespace namespace, List<String> reasons) {
		}

		/** @param cause {@link FlushCause#UNREADABLE} when an unreadable record of the batch asked for a flush, else {@link FlushCause#CHANGE} */
		default void afterFlush(Namespace namespace, long removed, FlushCause cause) {
		}

		default void beforeInvalidate(List<Invalidation> invalidations) {
		}

		default void afterInvalidate(List<Invalidation> invalidations) {
		}

		default void afterTag(String tag, long entries) {
		}
	}

	private final InvalidationRules rules;

	private final ChangeEventParser parser;

	private final Map<String, Long> floors = new HashMap<>();

	private final Set<String> tags = new LinkedHashSet<>();

	private final Set<Namespace> flushes = new LinkedHashSet<>();

	private final List<String> flushReasons = new ArrayList<>();

	private FlushCause flushCause = FlushCause.CHANGE;

	/** @param parser shared: it is thread-safe, and building one costs more than parsing thousands of records */
	public ChangeBatch(InvalidationRules rules, ChangeEventParser parser) {
		this.rules = rules;
		this.parser = parser;
	}

	/**
	 * Plans one record of {@code table}'s change topic; a watermark marker is planned as nothing.
	 *
	 * @param marker whether the record carries the watermark header (the caller reads its headers:
	 * this module knows no Kafka type)
	 * @param flushIfUnreadable whether a record that cannot be read or mapped flushes its table's
	 * namespaces (I4: never a silent skip); false when the caller reports it instead
	 */
	public Outcome add(String table, boolean marker, byte @Nullable [] value, boolean flushIfUnreadable) {
		if (marker) {
			return new Outcome(Kind.MARKER, null, null, null);
		}
		if (value == null) {
			return new Outcome(Kind.TOMBSTONE, null, null, null);
		}
		ChangeEvent event;
		InvalidationPlan plan;
		try {
			event = this.parser.parse(value);
			plan = this.rules.planFor(event);
		}
		catch (MalformedChangeEventException | UnmappableChangeEventException | InvalidIdException ex) {
			if (flushIfUnreadable) {
				flush(this.rules.ruleSet().namespacesOf(table), "an unreadable record of " + table);
				this.flushCause = FlushCause.UNREADABLE;
			}
			return new Outcome(Kind.FAILED, null, null, ex);
		}
		for (Invalidation invalidation : plan.invalidations()) {
			this.floors.merge(invalidation.key(), invalidation.floor(), Math::max);
		}
		this.tags.addAll(plan.tags());
		if (!plan.flushes().isEmpty()) {
			plan.reasons().forEach((reason) -> flush(plan.flushes(), reason));
		}
		return new Outcome(Kind.PLANNED, event, plan, null);
	}

	/** Adds {@code namespaces} to the batch's flushes, with the reason the log and report give. */
	public void flush(Set<Namespace> namespaces, String reason) {
		this.flushes.addAll(namespaces);
		if (!this.flushReasons.contains(reason)) {
			this.flushReasons.add(reason);
		}
	}

	/** Adds everything {@code other} planned, as if its records had been added to this batch. */
	public void merge(ChangeBatch other) {
		other.floors.forEach((key, floor) -> this.floors.merge(key, floor, Math::max));
		if (other.flushCause == FlushCause.UNREADABLE) {
			this.flushCause = FlushCause.UNREADABLE;
		}
		this.tags.addAll(other.tags);
		this.flushes.addAll(other.flushes);
		other.flushReasons.stream().filter((reason) -> !this.flushReasons.contains(reason)).forEach(this.flushReasons::add);
	}

	/** The merged invalidations: one per key, with the highest floor any record asked for. */
	public List<Invalidation> invalidations() {
		List<Invalidation> invalidations = new ArrayList<>(this.floors.size());
		this.floors.forEach((key, floor) -> invalidations.add(new Invalidation(key, floor)));
		return invalidations;
	}

	public Set<String> tags() {
		return this.tags;
	}

	public Set<Namespace> flushes() {
		return this.flushes;
	}

	public List<String> flushReasons() {
		return this.flushReasons;
	}

	/** Distinct keys to invalidate so far. */
	public int keys() {
		return this.floors.size();
	}

	public boolean isEmpty() {
		return this.floors.isEmpty() && this.tags.isEmpty() && this.flushes.isEmpty();
	}

	/** As {@link #apply(CacheCommands, Steps)} with no steps observed. */
	public void apply(CacheCommands cache) {
		apply(cache, Steps.NONE);
	}

	/**
	 * Applies the batch and returns once Redis confirmed all of it; any failure propagates, and
	 * applying the batch again is harmless (every command is idempotent). Flushes go first: a
	 * flush also removes floors, so running it after the keys could drop a floor that a later
	 * record of the batch raised; first, the end state is at least as invalidated as record by
	 * record. The keys go in one pipeline ({@link CacheCommands#invalidate}), then the tags.
	 */
	public void apply(CacheCommands cache, Steps steps) {
		for (Namespace namespace : this.flushes) {
			steps.beforeFlush(namespace, this.flushReasons);
			long removed = cache.flush(namespace, (soFar) -> {
			});
			steps.afterFlush(namespace, removed, this.flushCause);
		}
		List<Invalidation> invalidations = invalidations();
		if (!invalidations.isEmpty()) {
			steps.beforeInvalidate(invalidations);
			cache.invalidate(invalidations);
			steps.afterInvalidate(invalidations);
		}
		for (String tag : this.tags) {
			long entries = cache.invalidateTag(tag);
			steps.afterTag(tag, entries);
		}
	}
}
