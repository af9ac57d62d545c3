package dev.freshline.embedded;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.LinkedHashMap;
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
	 * (the same names the launcher and docker-compose set).
	 */
	public Map<String, Object> serviceEnvironment() {
		Map<String, Object> environment = new LinkedHashMap<>();
		environment.put("POSTGRES_HOST", this.host);
		environment.put("POSTGRES_PORT", this.port);
		environment.put("POSTGRES_DB", this.name);
		environment.put("MIGRATION_DB_USER", owner().name());
		environment.put("MIGRATION_DB_PASSWORD", owner().password());
		environment.put("API_DB_USER", api().name());
		environment.put("API_DB_PASSWORD", api().password());
		environment.put("CDC_DB_USER", cdc().name());
		environment.put("CDC_DB_PASSWORD", cdc().password());
		environment.put("INVALIDATOR_DB_USER", DatabaseRole.INVALIDATOR.name());
		environment.put("INVALIDATOR_DB_PASSWORD", DatabaseRole.INVALIDATOR.password());
		environment.put("SIGNAL_DB_USER", DatabaseRole.SIGNAL.name());
		environment.put("SIGNAL_DB_PASSWORD", DatabaseRole.SIGNAL.password());
		return environment;
	}

	/** Opens a connection as {@code role}; the caller closes it. */
	public Connection connect(DatabaseRole role) throws SQLException {
		return DriverManager.getConnection(jdbcUrl, role.name(), role.password());
	}
}
