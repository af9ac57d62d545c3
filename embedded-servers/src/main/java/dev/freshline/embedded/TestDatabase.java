package dev.freshline.embedded;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Map;

/**
 * A throwaway database on the shared Postgres, owned by {@link DatabaseRole#OWNER}, so each test
 * class migrates and mutates its own schema without seeing the others.
 */
public record TestDatabase(String name, String jdbcUrl, String host, int port) {

	public DatabaseRole owner() {
		return DatabaseRole.OWNER;
	}

	public DatabaseRole api() {
		return DatabaseRole.API;
	}

	public DatabaseRole cdc() {
		return DatabaseRole.CDC;
	}

	/**
	 * The environment variables a Freshline service reads to reach this database with its roles
	 * (see {@link ServiceEnvironment}).
	 */
	public Map<String, Object> serviceEnvironment() {
		return new ServiceEnvironment().database(this).toMap();
	}

	/** Opens a connection as {@code role}; the caller closes it. */
	public Connection connect(DatabaseRole role) throws SQLException {
		return DriverManager.getConnection(this.jdbcUrl, role.name(), role.password());
	}
}
