package dev.freshline.model;

import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

import org.jspecify.annotations.Nullable;

/**
 * Maps a row change to every key it affects, from the before AND the after image: an item that
 * moves from hospital 1 to hospital 2 must evict both hospitals' formulary lists (I5: evicting
 * too much is harmless, too little is not).
 */
public record InvalidationRules(CacheKeys keys) {

	public Set<String> keysFor(ChangeEvent event) {
		CapturedTable table = CapturedTable.byName(event.table())
			.orElseThrow(() -> new UnmappableChangeEventException("no rule for table '" + event.table() + "'"));
		String column = switch (table) {
			case PATIENT -> "id";
			case FORMULARY_ITEM -> "hospital_id";
		};
		Set<String> affected = new LinkedHashSet<>();
		addKey(affected, table.namespace(), event.before(), column);
		addKey(affected, table.namespace(), event.after(), column);
		if (affected.isEmpty()) {
			throw new UnmappableChangeEventException(
					"change of " + event.table() + " carries no '" + column + "' in either image");
		}
		return affected;
	}

	private void addKey(Set<String> affected, Namespace namespace, @Nullable Map<String, Object> image,
			String column) {
		if (image == null) {
			return;
		}
		Object value = image.get(column);
		if (value instanceof Number number) {
			affected.add(this.keys.key(namespace, number.longValue()));
		}
		else if (value != null) {
			throw new UnmappableChangeEventException(
					"column '" + column + "' of a " + namespace.id() + " change is not a number");
		}
	}
}
