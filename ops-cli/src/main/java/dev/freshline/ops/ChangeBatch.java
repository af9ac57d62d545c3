package dev.freshline.ops;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.kafka.common.header.Headers;
import org.jspecify.annotations.Nullable;

import dev.freshline.cache.CacheCommands;
import dev.freshline.model.ChangeEventParser;
import dev.freshline.model.InvalidIdException;
import dev.freshline.model.Invalidation;
import dev.freshline.model.InvalidationPlan;
import dev.freshline.model.InvalidationRules;
import dev.freshline.model.MalformedChangeEventException;
import dev.freshline.model.Namespace;
import dev.freshline.model.UnmappableChangeEventException;
import dev.freshline.model.Watermark;

/**
 * The invalidations of many change records, merged so Redis sees each key once per batch: the
 * invalidate script deletes value and lease and raises the floor to the maximum, so one call
 * with the highest floor leaves exactly the state of every call in turn. Parsed and planned by
 * the same code as the invalidator, so a replay evicts what the live path would have.
 */
public final class ChangeBatch {

	/** What became of one record. */
	public enum Kind {
		/** Planned: its invalidations are in the batch. */
		PLANNED,
		/** A null value (Debezium's tombstone after a delete): the delete itself carried the keys. */
		TOMBSTONE,
		/**
		 * A watermark marker (header {@link Watermark#HEADER}): a position of the change stream, no
		 * change; it invalidates nothing and is never unreadable, whatever its value.
		 */
		MARKER,
		/** Could not be read or mapped: {@link #add} said whether its table's namespaces are flushed instead. */
		FAILED
	}

	public record Outcome(Kind kind, @Nullable InvalidationPlan plan, @Nullable String error) {
	}

	private final InvalidationRules rules;

	private final ChangeEventParser parser;

	private final Map<String, Long> floors = new HashMap<>();

	private final Set<String> tags = new LinkedHashSet<>();

	private final Set<Namespace> flushes = new LinkedHashSet<>();

	private final List<String> flushReasons = new ArrayList<>();

	/** @param parser shared: it is thread-safe, and building one costs more than parsing thousands of records */
	public ChangeBatch(InvalidationRules rules, ChangeEventParser parser) {
		this.rules = rules;
		this.parser = parser;
	}

	/**
	 * Plans one record of {@code table}'s change topic; a watermark marker is recognised by its
	 * header and planned as nothing.
	 *
	 * @param flushIfUnreadable whether a record that cannot be read or mapped flushes its table's
	 * namespaces (I4: never a silent skip); false when the caller reports it instead
	 */
	public Outcome add(String table, @Nullable Headers headers, byte @Nullable [] value, boolean flushIfUnreadable) {
		if (isMarker(headers)) {
			return new Outcome(Kind.MARKER, null, null);
		}
		if (value == null) {
			return new Outcome(Kind.TOMBSTONE, null, null);
		}
		InvalidationPlan plan;
		try {
			plan = this.rules.planFor(this.parser.parse(value));
		}
		catch (MalformedChangeEventException | UnmappableChangeEventException | InvalidIdException ex) {
			if (flushIfUnreadable) {
				flush(this.rules.ruleSet().namespacesOf(table), "an unreadable record of " + table);
			}
			return new Outcome(Kind.FAILED, null, ex.getMessage());
		}
		for (Invalidation invalidation : plan.invalidations()) {
			this.floors.merge(invalidation.key(), invalidation.floor(), Math::max);
		}
		this.tags.addAll(plan.tags());
		if (!plan.flushes().isEmpty()) {
			plan.reasons().forEach((reason) -> flush(plan.flushes(), reason));
		}
		return new Outcome(Kind.PLANNED, plan, null);
	}

	/** Whether a record with {@code headers} is a watermark marker rather than a change. */
	public static boolean isMarker(@Nullable Headers headers) {
		return headers != null && headers.lastHeader(Watermark.HEADER) != null;
	}

	private void flush(Set<Namespace> namespaces, String reason) {
		this.flushes.addAll(namespaces);
		if (!this.flushReasons.contains(reason)) {
			this.flushReasons.add(reason);
		}
	}

	/** Adds everything {@code other} planned, as if its records had been added to this batch. */
	public void merge(ChangeBatch other) {
		other.floors.forEach((key, floor) -> this.floors.merge(key, floor, Math::max));
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

	/**
	 * Applies the batch and returns once Redis confirmed all of it. Flushes go first: a flush
	 * also removes floors, so running it after the keys could drop a floor that a later record
	 * of the batch raised; first, the end state is at least as invalidated as record by record.
	 */
	public void apply(CacheCommands cache) {
		for (Namespace namespace : this.flushes) {
			cache.flush(namespace, (removed) -> {
			});
		}
		cache.invalidate(invalidations());
		for (String tag : this.tags) {
			cache.invalidateTag(tag);
		}
	}
}
