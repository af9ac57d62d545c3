package dev.freshline.model;

import org.jspecify.annotations.Nullable;

/**
 * A tag such as {@code hospital:{hospital_id}} (or a constant tag without a column). Invalidating
 * a tag removes every entry that carries it. Tags on a key are built from that key's own id, so
 * a reader knows them before it reads Postgres and can register its entry in the tag's index
 * first: a tag invalidation can then never miss an entry whose fill is in flight.
 */
public record TagTemplate(String name, @Nullable String column) {

	/** The tag id for a canonical column value, e.g. {@code hospital:7}. */
	public String render(@Nullable String canonicalValue) {
		return (this.column == null || canonicalValue == null) ? this.name : this.name + ":" + canonicalValue;
	}

	@Override
	public String toString() {
		return (this.column == null) ? this.name : this.name + ":{" + this.column + "}";
	}
}
