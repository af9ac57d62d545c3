package dev.freshline.embedded;

import java.util.List;

/**
 * A Postgres login role of Freshline. The roles are shared by the launcher and the tests so
 * that least-privilege grants written in migrations behave the same everywhere; a service reads
 * a role's name and password from {@code <variablePrefix>_USER} and {@code <variablePrefix>_PASSWORD}.
 */
public record DatabaseRole(String name, String password, boolean replication, String variablePrefix) {

	/** Owns the databases and runs the Flyway migrations. */
	public static final DatabaseRole OWNER = new DatabaseRole("freshline", "freshline", false, "MIGRATION_DB");

	/** Used by the API service at runtime. */
	public static final DatabaseRole API = new DatabaseRole("freshline_api", "freshline_api", false, "API_DB");

	/** Used by Debezium; logical replication needs the REPLICATION attribute. */
	public static final DatabaseRole CDC = new DatabaseRole("freshline_cdc", "freshline_cdc", true, "CDC_DB");

	/** Used by {@code scripts/ops resnapshot}: may insert Debezium signals and nothing else. */
	public static final DatabaseRole SIGNAL = new DatabaseRole("freshline_signal", "freshline_signal", false,
			"SIGNAL_DB");

	/** Used by the invalidator's schema check: it reads catalogs only and is granted nothing. */
	public static final DatabaseRole INVALIDATOR = new DatabaseRole("freshline_invalidator", "freshline_invalidator",
			false, "INVALIDATOR_DB");

	/**
	 * Used by {@code scripts/ops inspect}: may read the ids, versions and key columns of the cached
	 * tables (a column-level grant) and nothing else, so comparing the cache with Postgres reads no
	 * patient's name or birth date.
	 */
	public static final DatabaseRole INSPECT = new DatabaseRole("freshline_inspect", "freshline_inspect", false,
			"INSPECT_DB");

	/** Every role, the owner first. */
	public static final List<DatabaseRole> ALL = List.of(OWNER, API, CDC, INVALIDATOR, SIGNAL, INSPECT);

	/** Creates or updates this role on {@code postgres}. */
	public void ensureOn(PostgresServer postgres) {
		postgres.ensureRole(this.name, this.password, this.replication);
	}

	/** The variable a service reads this role's name from, e.g. {@code API_DB_USER}. */
	public String userVariable() {
		return this.variablePrefix + "_USER";
	}

	/** The variable a service reads this role's password from, e.g. {@code API_DB_PASSWORD}. */
	public String passwordVariable() {
		return this.variablePrefix + "_PASSWORD";
	}

	@Override
	public String toString() {
		// Keep passwords out of logs even though these are local, fixed ones.
		return "DatabaseRole[" + this.name + (this.replication ? ", replication" : "") + "]";
	}
}
