package dev.freshline.embedded;

/**
 * A Postgres login role of Freshline. The roles are shared by the launcher and the tests so
 * that least-privilege grants written in migrations behave the same everywhere.
 */
public record DatabaseRole(String name, String password, boolean replication) {

	/** Owns the databases and runs the Flyway migrations. */
	public static final DatabaseRole OWNER = new DatabaseRole("freshline", "freshline", false);

	/** Used by the API service at runtime. */
	public static final DatabaseRole API = new DatabaseRole("freshline_api", "freshline_api", false);

	/** Used by Debezium; logical replication needs the REPLICATION attribute. */
	public static final DatabaseRole CDC = new DatabaseRole("freshline_cdc", "freshline_cdc", true);

	/** Used by {@code scripts/ops resnapshot}: may insert Debezium signals and nothing else. */
	public static final DatabaseRole SIGNAL = new DatabaseRole("freshline_signal", "freshline_signal", false);

	/** Used by the invalidator's schema check: it reads catalogs only and is granted nothing. */
	public static final DatabaseRole INVALIDATOR = new DatabaseRole("freshline_invalidator", "freshline_invalidator",
			false);

	/** Creates or updates this role on {@code postgres}. */
	public void ensureOn(PostgresServer postgres) {
		postgres.ensureRole(name, password, replication);
	}

	@Override
	public String toString() {
		// Keep passwords out of logs even though these are local, fixed ones.
		return "DatabaseRole[" + name + (replication ? ", replication" : "") + "]";
	}
}
