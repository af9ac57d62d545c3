package dev.freshline.model;

import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

import org.jspecify.annotations.Nullable;

/**
 * Maps a row change to every key it affects, from the before AND the after image: an item that
 * moves from hospital 1 to hospital 2 must evict both hospitals' formulary lists (I5: evicting
 * too much is harmless, too little is not). Entity keys also carry the version their floor must
 * reach, so a reader that loaded an older row can never fill it back.
 */
public record InvalidationRules(CacheKeys keys) {

	public Set<Invalidation> invalidationsFor(ChangeEvent event) {
		CapturedTable table = CapturedTable.byName(event.table())
			.orElseThrow(() -> new UnmappableChangeEventException("no rule for table '" + event.table() + "'"));
		Set<Invalidation> affected = new LinkedHashSet<>();
		switch (table) {
			case PATIENT -> {
				long floor = floorOf(event);
				addKey(affected, Namespace.PATIENT, event.before(), "id", floor);
				addKey(affected, Namespace.PATIENT, event.after(), "id", floor);
			}
			case FORMULARY_ITEM -> {
				addKey(affected, Namespace.FORMULARY, event.before(), "hospital_id", Invalidation.NO_FLOOR);
				addKey(affected, Namespace.FORMULARY, event.after(), "hospital_id", Invalidation.NO_FLOOR);
			}
		}
		if (affected.isEmpty()) {
			throw new UnmappableChangeEventException("change of " + event.table() + " carries no key column in either image");
		}
		return affected;
	}

	/**
	 * A delete refuses every later fill; otherwise the after image's version is the floor. A
	 * change without a version (an old row image) gets the deleted floor: over-invalidating costs
	 * misses until the floor expires, under-invalidating would cost staleness.
	 */
	private static long floorOf(ChangeEvent event) {
		if (event.operation() == Operation.DELETE || event.after() == null) {
			return Invalidation.DELETED;
		}
		return (event.after().get("version") instanceof Number version) ? version.longValue() : Invalidation.DELETED;
	}

	private void addKey(Set<Invalidation> affected, Namespace namespace, @Nullable Map<String, Object> image,
			String column, long floor) {
		if (image == null) {
			return;
		}
		Object value = image.get(column);
		if (value instanceof Number number) {
			affected.add(new Invalidation(this.keys.key(namespace, number.longValue()), floor));
		}
		else if (value != null) {
			throw new UnmappableChangeEventException(
					"column '" + column + "' of a " + namespace.id() + " change is not a number");
		}
	}
}
