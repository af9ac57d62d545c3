package dev.freshline.model;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Everything a change of one table invalidates: its keys and the tags it invalidates, each
 * evaluated on the before and the after image.
 */
public record TableRule(String table, List<KeyTemplate> keys, List<TagTemplate> tags) {

	public TableRule {
		keys = List.copyOf(keys);
		tags = List.copyOf(tags);
	}

	/** Every column a template reads: a replica identity must supply all of them in before images. */
	public Set<String> templateColumns() {
		Set<String> columns = new LinkedHashSet<>();
		this.keys.forEach((key) -> columns.add(key.column()));
		this.tags.stream().map(TagTemplate::column).filter((column) -> column != null).forEach(columns::add);
		return columns;
	}

	/**
	 * Every column a rule reads from a change of this table: template columns and floor columns.
	 * The parser keeps only these, and the connector captures only these, so a change event
	 * carries nothing a rule does not need.
	 */
	public Set<String> columnsRead() {
		Set<String> columns = new LinkedHashSet<>(templateColumns());
		this.keys.stream().map(KeyTemplate::floorColumn).filter((column) -> column != null).forEach(columns::add);
		return columns;
	}
}
