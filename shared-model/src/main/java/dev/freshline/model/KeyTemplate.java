package dev.freshline.model;

import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * One key a table's row maps to, such as {@code ward:{ward}}: the namespace, the column whose
 * value becomes the id, the column whose value becomes the key's version floor (entities only;
 * collections rely on the lease alone), and the tags every entry of this key carries.
 */
public record KeyTemplate(Namespace namespace, String column, @Nullable String floorColumn, List<TagTemplate> tags) {

	public KeyTemplate {
		tags = List.copyOf(tags);
	}

	@Override
	public String toString() {
		return this.namespace.id() + ":{" + this.column + "}";
	}
}
