package dev.freshline.model;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.jspecify.annotations.Nullable;

/**
 * Evaluates the {@link RuleSet} for one change: every key and tag of the table's rule, from the
 * before AND the after image (I5: evicting too much is harmless, too little is not). Whatever
 * cannot be mapped to single keys becomes a namespace flush with a reason (I4), never a skip.
 * The API builds its keys with {@link #keyFor} from the same rules and the same canonical ids,
 * so the key a reader fills is the key a change deletes.
 */
public final class InvalidationRules {

	/**
	 * What Debezium puts in place of an unchanged TOASTed column ({@code unavailable.value.placeholder},
	 * left at its default by the connector): the value is unknown, so its keys cannot be named.
	 */
	public static final String UNAVAILABLE_VALUE = "__debezium_unavailable_value";

	private final RuleSet rules;

	private final CacheKeys keys;

	/** The tags each namespace's entries carry, resolved once: every API read asks for them. */
	private final Map<Namespace, List<TagTemplate>> tagsByNamespace;

	public InvalidationRules(RuleSet rules, CacheKeys keys) {
		this.rules = rules;
		this.keys = keys;
		this.tagsByNamespace = new HashMap<>();
		rules.namespaces().keySet().forEach((namespace) -> this.tagsByNamespace.put(namespace, rules.tagsOf(namespace)));
	}

	public RuleSet ruleSet() {
		return this.rules;
	}

	public CacheKeys keys() {
		return this.keys;
	}

	/** The key a reader fills for an id a client sent, canonicalised by the namespace's id type. */
	public String keyFor(Namespace namespace, String rawId) {
		return this.keys.key(namespace, this.rules.idType(namespace).canonical(rawId));
	}

	/** The tag index keys an entry of {@code namespace} with {@code canonicalId} is registered in. */
	public List<String> tagIndexesOf(Namespace namespace, String canonicalId) {
		List<TagTemplate> tags = this.tagsByNamespace.getOrDefault(namespace, List.of());
		if (tags.isEmpty()) {
			return List.of();
		}
		return tags.stream().map((tag) -> this.keys.tagIndex(tag.render(canonicalId))).toList();
	}

	public InvalidationPlan planFor(ChangeEvent event) {
		TableRule rule = this.rules.table(event.table())
			.orElseThrow(() -> new UnmappableChangeEventException("no rule for table '" + event.table() + "'"));
		return switch (event.operation()) {
			case TRUNCATE -> InvalidationPlan.flush(this.rules.namespacesOf(rule.table()), "TRUNCATE of " + rule.table());
			case MESSAGE -> InvalidationPlan.nothing();
			case CREATE, READ, UPDATE, DELETE -> planForRow(rule, event);
		};
	}

	private InvalidationPlan planForRow(TableRule rule, ChangeEvent event) {
		if (event.before() == null && event.after() == null) {
			throw new MalformedChangeEventException("a " + event.operation() + " of " + rule.table() + " carries no row image");
		}
		Plan plan = new Plan();
		if (event.operation() == Operation.UPDATE && event.before() == null) {
			// without the old row, the keys it was cached under are unknown
			plan.flush(this.rules.namespacesOf(rule.table()),
					"an update of " + rule.table() + " has no before image (is its replica identity FULL?)");
		}
		List<Map<String, Object>> images = new ArrayList<>(2);
		if (event.before() != null) {
			images.add(event.before());
		}
		if (event.after() != null) {
			images.add(event.after());
		}
		for (Map<String, Object> image : images) {
			for (KeyTemplate key : rule.keys()) {
				String id = idOf(image, key.column(), this.rules.idType(key.namespace()), rule, plan, Set.of(key.namespace()));
				if (id != null) {
					plan.invalidations.add(new Invalidation(this.keys.key(key.namespace(), id),
							(key.floorColumn() != null) ? floorValue(event, key.floorColumn()) : Invalidation.NO_FLOOR));
				}
			}
			for (TagTemplate tag : rule.tags()) {
				if (tag.column() == null) {
					plan.tags.add(tag.render(null));
					continue;
				}
				String value = idOf(image, tag.column(), this.rules.tagTypes().get(tag.name()), rule, plan,
						this.rules.namespacesTagged(tag.name()));
				if (value != null) {
					plan.tags.add(tag.render(value));
				}
			}
		}
		return plan.build();
	}

	/**
	 * The canonical id in {@code column}, or null if the column is SQL NULL (nothing is cached
	 * under a null id). A column the image lacks, or holds only as the TOAST placeholder, names
	 * no key: the namespaces it could touch are flushed instead.
	 */
	private @Nullable String idOf(Map<String, Object> image, String column, IdType type, TableRule rule, Plan plan,
			Set<Namespace> affected) {
		if (!image.containsKey(column)) {
			plan.flush(affected, "a change of " + rule.table() + " lacks column " + column
					+ " in one of its images (is its replica identity FULL?)");
			return null;
		}
		Object value = image.get(column);
		if (value == null) {
			return null;
		}
		if (UNAVAILABLE_VALUE.equals(value)) {
			plan.flush(affected, "a change of " + rule.table() + " carries an unchanged TOASTed " + column
					+ " (Debezium's placeholder), so the key it names is unknown");
			return null;
		}
		return type.canonical(value);
	}

	/**
	 * A delete refuses every later fill; otherwise the after image's version is the floor. A
	 * change without a usable version gets the deleted floor: over-invalidating costs misses
	 * until the floor expires, under-invalidating would cost staleness.
	 */
	private static long floorValue(ChangeEvent event, String column) {
		if (event.operation() == Operation.DELETE || event.after() == null) {
			return Invalidation.DELETED;
		}
		Object version = event.after().get(column);
		if (version instanceof Long || version instanceof Integer) {
			long floor = ((Number) version).longValue();
			return (floor > 0 && floor < Invalidation.DELETED) ? floor : Invalidation.DELETED;
		}
		return Invalidation.DELETED;
	}

	/** Collects one change's plan. */
	private static final class Plan {

		private final Set<Invalidation> invalidations = new LinkedHashSet<>();

		private final Set<String> tags = new LinkedHashSet<>();

		private final Set<Namespace> flushes = new LinkedHashSet<>();

		private final List<String> reasons = new ArrayList<>();

		void flush(Set<Namespace> namespaces, String reason) {
			this.flushes.addAll(namespaces);
			if (!this.reasons.contains(reason)) {
				this.reasons.add(reason);
			}
		}

		InvalidationPlan build() {
			return new InvalidationPlan(this.invalidations, this.tags, this.flushes, this.reasons);
		}
	}
}
