package dev.freshline.model;

import java.util.List;
import java.util.Set;

/**
 * What one change requires of the cache: keys to invalidate (with their floors), tags to
 * invalidate, and namespaces to flush because part of the change could not be mapped to keys
 * (a TRUNCATE, an unchanged TOASTed value, a missing before image). {@code reasons} says why
 * each flush is needed, for the log line that I4 requires.
 */
public record InvalidationPlan(Set<Invalidation> invalidations, Set<String> tags, Set<Namespace> flushes,
		List<String> reasons) {

	public InvalidationPlan {
		invalidations = Set.copyOf(invalidations);
		tags = Set.copyOf(tags);
		flushes = Set.copyOf(flushes);
		reasons = List.copyOf(reasons);
	}

	public static InvalidationPlan nothing() {
		return new InvalidationPlan(Set.of(), Set.of(), Set.of(), List.of());
	}

	public static InvalidationPlan flush(Set<Namespace> namespaces, String reason) {
		return new InvalidationPlan(Set.of(), Set.of(), namespaces, List.of(reason));
	}
}
