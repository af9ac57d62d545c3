package dev.freshline.model;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks, at start, that Postgres can deliver what the rules need: every rule's table is in the
 * publication (or its changes never reach us), every template column exists with a type its
 * namespace accepts, and the table's replica identity puts every template column in the before
 * image of updates and deletes (or a moved row would evict only its new place). It reads only
 * the catalogs, which every role may read, over a connection the caller owns.
 */
public final class SchemaCheck {

	private static final Pattern BOUNDED_TEXT = Pattern.compile("(character varying|character)\\((\\d+)\\)");

	private final RuleSet rules;

	public SchemaCheck(RuleSet rules) {
		this.rules = rules;
	}

	/** Throws {@link SchemaCheckException} listing every problem and its fix; returns if there are none. */
	public void verify(Connection connection, String publication) {
		List<String> problems;
		try {
			problems = problems(connection, publication);
		}
		catch (SQLException ex) {
			throw new SchemaCheckException("cannot read the Postgres catalogs to check the rules: " + ex.getMessage(), ex);
		}
		if (!problems.isEmpty()) {
			throw new SchemaCheckException("Postgres cannot deliver what the invalidation rules need:\n  - "
					+ String.join("\n  - ", problems));
		}
	}

	List<String> problems(Connection connection, String publication) throws SQLException {
		List<String> problems = new ArrayList<>();
		if (!publicationExists(connection, publication)) {
			problems.add("publication '" + publication + "' does not exist. Fix: CREATE PUBLICATION " + publication
					+ " FOR TABLE " + String.join(", ", this.rules.tables().keySet()) + ";");
			return problems;
		}
		Set<String> published = publishedTables(connection, publication);
		for (TableRule rule : this.rules.tables().values()) {
			String table = rule.table();
			Map<String, String> columns = columns(connection, table);
			if (columns.isEmpty()) {
				problems.add("table public." + table + " does not exist (or this role cannot see it)");
				continue;
			}
			if (!published.contains(table)) {
				problems.add("table " + table + " is not in publication '" + publication + "', so its changes never "
						+ "reach the invalidator. Fix: ALTER PUBLICATION " + publication + " ADD TABLE public." + table + ";");
			}
			checkColumns(rule, columns, problems);
			checkReplicaIdentity(connection, rule, problems);
		}
		return problems;
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

	private void checkReplicaIdentity(Connection connection, TableRule rule, List<String> problems) throws SQLException {
		char identity = replicaIdentity(connection, rule.table());
		if (identity == 'f') {
			return;
		}
		Set<String> inBeforeImage = (identity == 'n') ? Set.of() : identityColumns(connection, rule.table(), identity);
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

	private static boolean publicationExists(Connection connection, String publication) throws SQLException {
		try (PreparedStatement statement = connection.prepareStatement("SELECT 1 FROM pg_publication WHERE pubname = ?")) {
			statement.setString(1, publication);
			try (ResultSet result = statement.executeQuery()) {
				return result.next();
			}
		}
	}

	private static Set<String> publishedTables(Connection connection, String publication) throws SQLException {
		Set<String> tables = new LinkedHashSet<>();
		try (PreparedStatement statement = connection.prepareStatement(
				"SELECT tablename FROM pg_publication_tables WHERE pubname = ? AND schemaname = 'public'")) {
			statement.setString(1, publication);
			try (ResultSet result = statement.executeQuery()) {
				while (result.next()) {
					tables.add(result.getString(1));
				}
			}
		}
		return tables;
	}

	/** Column name to type, from pg_attribute: information_schema hides columns this role may not read. */
	private static Map<String, String> columns(Connection connection, String table) throws SQLException {
		Map<String, String> columns = new LinkedHashMap<>();
		try (PreparedStatement statement = connection.prepareStatement("""
				SELECT a.attname, format_type(a.atttypid, a.atttypmod)
				FROM pg_attribute a
				WHERE a.attrelid = to_regclass(?) AND a.attnum > 0 AND NOT a.attisdropped""")) {
			statement.setString(1, "public." + table);
			try (ResultSet result = statement.executeQuery()) {
				while (result.next()) {
					columns.put(result.getString(1), result.getString(2));
				}
			}
		}
		return columns;
	}

	private static char replicaIdentity(Connection connection, String table) throws SQLException {
		try (PreparedStatement statement = connection
			.prepareStatement("SELECT relreplident FROM pg_class WHERE oid = to_regclass(?)")) {
			statement.setString(1, "public." + table);
			try (ResultSet result = statement.executeQuery()) {
				return result.next() ? result.getString(1).charAt(0) : 'n';
			}
		}
	}

	private static Set<String> identityColumns(Connection connection, String table, char identity) throws SQLException {
		String which = (identity == 'd') ? "i.indisprimary" : "i.indisreplident";
		Set<String> columns = new LinkedHashSet<>();
		try (PreparedStatement statement = connection.prepareStatement("""
				SELECT a.attname
				FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
				WHERE i.indrelid = to_regclass(?) AND %s""".formatted(which))) {
			statement.setString(1, "public." + table);
			try (ResultSet result = statement.executeQuery()) {
				while (result.next()) {
					columns.add(result.getString(1));
				}
			}
		}
		return columns;
	}
}
