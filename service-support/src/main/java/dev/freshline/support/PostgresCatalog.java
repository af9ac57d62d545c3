package dev.freshline.support;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

import dev.freshline.model.SchemaCatalog;
import dev.freshline.model.SchemaCheckException;

/**
 * The schema check's catalog reads over JDBC, moved out of shared-model so that module stays
 * free of I/O. It reads only the catalogs, which every role may read, over a connection the
 * caller owns; a failed read becomes a {@link SchemaCheckException}.
 */
public final class PostgresCatalog implements SchemaCatalog {

	private final Connection connection;

	public PostgresCatalog(Connection connection) {
		this.connection = connection;
	}

	@Override
	public boolean publicationExists(String publication) {
		return read(() -> readPublicationExists(publication));
	}

	@Override
	public Set<String> publishedTables(String publication) {
		return read(() -> readPublishedTables(publication));
	}

	@Override
	public Map<String, String> columns(String table) {
		return read(() -> readColumns(table));
	}

	@Override
	public char replicaIdentity(String table) {
		return read(() -> readReplicaIdentity(table));
	}

	@Override
	public Set<String> identityColumns(String table, char identity) {
		return read(() -> readIdentityColumns(table, identity));
	}

	@Override
	public Set<String> publishedOperations(String publication) {
		return read(() -> readPublishedOperations(publication));
	}

	@Override
	public Map<String, String> rowFilters(String publication) {
		return read(() -> readRowFilters(publication));
	}

	private static <T> T read(CatalogRead<T> read) {
		try {
			return read.run();
		}
		catch (SQLException ex) {
			throw new SchemaCheckException("cannot read the Postgres catalogs to check the rules: " + ex.getMessage(), ex);
		}
	}

	private boolean readPublicationExists(String publication) throws SQLException {
		try (PreparedStatement statement = this.connection.prepareStatement("SELECT 1 FROM pg_publication WHERE pubname = ?")) {
			statement.setString(1, publication);
			try (ResultSet result = statement.executeQuery()) {
				return result.next();
			}
		}
	}

	private Set<String> readPublishedTables(String publication) throws SQLException {
		Set<String> tables = new LinkedHashSet<>();
		try (PreparedStatement statement = this.connection.prepareStatement(
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

	private Set<String> readPublishedOperations(String publication) throws SQLException {
		Set<String> operations = new LinkedHashSet<>();
		try (PreparedStatement statement = this.connection.prepareStatement(
				"SELECT pubinsert, pubupdate, pubdelete, pubtruncate FROM pg_publication WHERE pubname = ?")) {
			statement.setString(1, publication);
			try (ResultSet result = statement.executeQuery()) {
				if (result.next()) {
					String[] names = { "insert", "update", "delete", "truncate" };
					for (int i = 0; i < names.length; i++) {
						if (result.getBoolean(i + 1)) {
							operations.add(names[i]);
						}
					}
				}
			}
		}
		return operations;
	}

	/** Row filters exist from Postgres 15 on; before that no table can have one. */
	private Map<String, String> readRowFilters(String publication) throws SQLException {
		Map<String, String> filters = new LinkedHashMap<>();
		if (this.connection.getMetaData().getDatabaseMajorVersion() < 15) {
			return filters;
		}
		try (PreparedStatement statement = this.connection.prepareStatement("""
				SELECT c.relname, pg_get_expr(r.prqual, r.prrelid)
				FROM pg_publication p
				JOIN pg_publication_rel r ON r.prpubid = p.oid
				JOIN pg_class c ON c.oid = r.prrelid
				JOIN pg_namespace n ON n.oid = c.relnamespace
				WHERE p.pubname = ? AND n.nspname = 'public' AND r.prqual IS NOT NULL""")) {
			statement.setString(1, publication);
			try (ResultSet result = statement.executeQuery()) {
				while (result.next()) {
					filters.put(result.getString(1), result.getString(2));
				}
			}
		}
		return filters;
	}

	/** Column name to type, from pg_attribute: information_schema hides columns this role may not read. */
	private Map<String, String> readColumns(String table) throws SQLException {
		Map<String, String> columns = new LinkedHashMap<>();
		try (PreparedStatement statement = this.connection.prepareStatement("""
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

	private char readReplicaIdentity(String table) throws SQLException {
		try (PreparedStatement statement = this.connection
			.prepareStatement("SELECT relreplident FROM pg_class WHERE oid = to_regclass(?)")) {
			statement.setString(1, "public." + table);
			try (ResultSet result = statement.executeQuery()) {
				return result.next() ? result.getString(1).charAt(0) : 'n';
			}
		}
	}

	private Set<String> readIdentityColumns(String table, char identity) throws SQLException {
		String which = (identity == 'd') ? "i.indisprimary" : "i.indisreplident";
		Set<String> columns = new LinkedHashSet<>();
		try (PreparedStatement statement = this.connection.prepareStatement("""
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

	@FunctionalInterface
	private interface CatalogRead<T> {

		T run() throws SQLException;
	}
}
