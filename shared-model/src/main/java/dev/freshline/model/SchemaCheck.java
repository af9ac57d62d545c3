package dev.freshline.model;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks, at start, that Postgres can deliver what the rules need: the publication publishes
 * every operation and every rule's table, without a row filter (or changes never reach us, and
 * nothing downstream could tell), every template column exists with a type its
 * namespace accepts, and the table's replica identity puts every template column in the before
 * image of updates and deletes (or a moved row would evict only its new place). It reads only
 * the catalogs, which every role may read, through a {@link SchemaCatalog} the caller owns.
 */
public final class SchemaCheck {

	/** What pgoutput must send: a publication without one of these drops those changes silently. */
	private static final List<String> OPERATIONS = List.of("insert", "update", "delete", "truncate");

	private static final Pattern BOUNDED_TEXT = Pattern.compile("(character varying|character)\\((\\d+)\\)");

	private final RuleSet rules;

	public SchemaCheck(RuleSet rules) {
		this.rules = rules;
	}

	/** Throws {@link SchemaCheckException} listing every problem and its fix; returns if there are none. */
	public void verify(SchemaCatalog catalog, String publication) {
		List<String> problems = problems(catalog, publication);
		if (!problems.isEmpty()) {
			throw new SchemaCheckException("Postgres cannot deliver what the invalidation rules need:\n  - "
					+ String.join("\n  - ", problems));
		}
	}

	List<String> problems(SchemaCatalog catalog, String publication) {
		List<String> problems = new ArrayList<>();
		if (!catalog.publicationExists(publication)) {
			problems.add("publication '" + publication + "' does not exist. Fix: CREATE PUBLICATION " + publication
					+ " FOR TABLE " + String.join(", ", this.rules.tables().keySet()) + ";");
			return problems;
		}
		checkOperations(catalog, publication, problems);
		Set<String> published = catalog.publishedTables(publication);
		Map<String, String> rowFilters = catalog.rowFilters(publication);
		for (TableRule rule : this.rules.tables().values()) {
			String table = rule.table();
			Map<String, String> columns = catalog.columns(table);
			if (columns.isEmpty()) {
				problems.add("table public." + table + " does not exist (or this role cannot see it)");
				continue;
			}
			if (!published.contains(table)) {
				problems.add("table " + table + " is not in publication '" + publication + "', so its changes never "
						+ "reach the invalidator. Fix: ALTER PUBLICATION " + publication + " ADD TABLE public." + table + ";");
			}
			else if (rowFilters.containsKey(table)) {
				// a filtered-out row's changes are never sent, and an update that moves a row out of
				// the filter arrives as a delete of its new image, so its old keys may be missed
				problems.add("table " + table + " is published in '" + publication + "' with a row filter (WHERE "
						+ rowFilters.get(table) + "), so changes of rows outside it never reach the invalidator. Fix: "
						+ "ALTER PUBLICATION " + publication + " DROP TABLE public." + table + "; ALTER PUBLICATION "
						+ publication + " ADD TABLE public." + table + "; (in one transaction)");
			}
			checkColumns(rule, columns, problems);
			checkReplicaIdentity(catalog, rule, problems);
		}
		return problems;
	}

	private static void checkOperations(SchemaCatalog catalog, String publication, List<String> problems) {
		Set<String> operations = catalog.publishedOperations(publication);
		List<String> missing = OPERATIONS.stream().filter((operation) -> !operations.contains(operation)).toList();
		if (!missing.isEmpty()) {
			problems.add("publication '" + publication + "' does not publish " + String.join(", ", missing)
					+ ", so those changes never reach the invalidator. Fix: ALTER PUBLICATION " + publication
					+ " SET (publish = '" + String.join(", ", OPERATIONS) + "');");
		}
	}

	private void checkColumns(TableRule rule, Map<String, String> columns, List<String> problems) {
		for (KeyTemplate key : rule.keys()) {
			String type = columns.get(key.column());
			IdType idType = this.rules.idType(key.namespace());
			if (type == null) {
				problems.add("table " + rule.table() + " has no column " + key.column() + " for key " + key);
			}
			else if (!accepts(idType, type)) {
				problems.add("column " + rule.table() + "." + key.column() + " is " + type + ", but key " + key
						+ " needs a column whose every value is a valid " + idType + " id");
			}
			if (key.floorColumn() != null && !columns.containsKey(key.floorColumn())) {
				problems.add("table " + rule.table() + " has no column " + key.floorColumn() + " for the floor of " + key);
			}
		}
		for (TagTemplate tag : rule.tags()) {
			if (tag.column() != null && !columns.containsKey(tag.column())) {
				problems.add("table " + rule.table() + " has no column " + tag.column() + " for tag " + tag);
			}
		}
	}

	private static boolean accepts(IdType idType, String columnType) {
		String type = columnType.toLowerCase(Locale.ROOT);
		return switch (idType.kind()) {
			case INTEGER -> type.equals("bigint") || type.equals("integer") || type.equals("smallint");
			case UUID -> type.equals("uuid");
			case TEXT -> {
				// varchar(n) / char(n) must not allow more than the namespace accepts
				Matcher bounded = BOUNDED_TEXT.matcher(type);
				yield bounded.matches() && Integer.parseInt(bounded.group(2)) <= idType.maxLength();
			}
		};
	}

	private void checkReplicaIdentity(SchemaCatalog catalog, TableRule rule, List<String> problems) {
		char identity = catalog.replicaIdentity(rule.table());
		if (identity == 'f') {
			return;
		}
		Set<String> inBeforeImage = (identity == 'n') ? Set.of() : catalog.identityColumns(rule.table(), identity);
		Set<String> missing = new LinkedHashSet<>(rule.templateColumns());
		missing.removeAll(inBeforeImage);
		if (!missing.isEmpty()) {
			String name = switch (identity) {
				case 'd' -> "DEFAULT (primary key " + inBeforeImage + ")";
				case 'i' -> "USING INDEX " + inBeforeImage;
				default -> "NOTHING";
			};
			problems.add("table " + rule.table() + " has REPLICA IDENTITY " + name + ", so updates and deletes do not "
					+ "carry " + String.join(", ", missing) + " in their before image and the old key could not be "
					+ "evicted. Fix: ALTER TABLE public." + rule.table() + " REPLICA IDENTITY FULL;");
		}
	}
}
