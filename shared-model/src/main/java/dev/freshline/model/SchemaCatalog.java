package dev.freshline.model;

import java.util.Map;
import java.util.Set;

/**
 * What {@link SchemaCheck} reads from Postgres' catalogs, as plain values: the check's rules stay
 * here, free of I/O, and the services read the catalogs over JDBC (service-support's
 * {@code PostgresCatalog}). A failed read throws {@link SchemaCheckException}.
 */
public interface SchemaCatalog {

	boolean publicationExists(String publication);

	/** The tables of schema {@code public} in the publication. */
	Set<String> publishedTables(String publication);

	/** Column name to type ({@code format_type}) of {@code public.<table>}; empty if there is no such table. */
	Map<String, String> columns(String table);

	/** {@code pg_class.relreplident}: d(efault), n(othing), f(ull) or i(ndex); {@code 'n'} if there is no such table. */
	char replicaIdentity(String table);

	/** The columns of the primary key ({@code identity 'd'}) or of the replica identity index ({@code 'i'}). */
	Set<String> identityColumns(String table, char identity);

	/**
	 * The operations the publication publishes ({@code pg_publication.pubinsert} ...), as
	 * {@code insert}, {@code update}, {@code delete} and {@code truncate}.
	 */
	Set<String> publishedOperations(String publication);

	/** Table of schema {@code public} to the row filter ({@code WHERE}) it is published with; tables without one are absent. */
	Map<String, String> rowFilters(String publication);
}
