package dev.freshline.ops.resnapshot;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import dev.freshline.model.Namespace;
import dev.freshline.model.Topics;
import dev.freshline.ops.ChangeTopic;
import dev.freshline.ops.Clients;
import dev.freshline.ops.ConnectionOptions;
import dev.freshline.ops.Endpoints;
import dev.freshline.ops.NamespaceFlush;
import dev.freshline.ops.Ops;

/**
 * Repairs a table's entries when the change topic no longer holds their history. An incremental
 * snapshot re-reads only the rows that exist now, so it cannot evict the entry of a row deleted
 * meanwhile or a list no current row names (a ward everyone left): the command first flushes every
 * namespace the table's rules key, as {@code ops flush} does, then asks Debezium to re-read the
 * table in chunks while streaming goes on. Each read event invalidates its row's keys, which also
 * evicts what a fill in flight during the flush stored. The signal is inserted as the signal role,
 * which may do that and nothing else; the connector accepts signals from its signal table only.
 */
@Command(name = "resnapshot", mixinStandardHelpOptions = true,
		description = { "Flush every namespace a table's rules key, then re-read every row of the table through "
				+ "Debezium (an incremental snapshot), so no entry of the table outlives its history: not of a "
				+ "row that changed, nor of a deleted row, nor a list no current row names." })
public final class ResnapshotCommand implements Callable<Integer> {

	private static final String WHY = "a snapshot re-reads only rows that exist now, so entries of deleted rows "
			+ "and lists no current row names would stay";

	@Mixin
	ConnectionOptions connection;

	@Option(names = "--table", required = true, description = "A table of the rules, e.g. patient")
	String table;

	@Option(names = "--jdbc-url", paramLabel = "URL",
			description = "The database (env POSTGRES_HOST, POSTGRES_PORT, POSTGRES_DB; default: the local stack)")
	@Nullable String jdbcUrl;

	@Option(names = "--signal-user", paramLabel = "ROLE",
			description = "The signal role (env SIGNAL_DB_USER; default: the local stack's, else freshline_signal). "
					+ "Its password comes from SIGNAL_DB_PASSWORD or the local stack, never from a flag.")
	@Nullable String signalUser;

	@Option(names = "--dry-run",
			description = "Check the table, Postgres and Redis, and count what would be flushed; change nothing")
	boolean dryRun;

	@Mixin
	NamespaceFlush.Options flushOptions;

	@Override
	public Integer call() {
		Ops ops = this.connection.ops();
		PrintWriter out = this.connection.out();
		Endpoints endpoints = this.connection.endpoints();
		// refuses a table without a rule, with the same message as replay
		ChangeTopic.of(this.table, null, endpoints.topics(), endpoints.rules(), endpoints.rulesLocation());
		Set<Namespace> namespaces = endpoints.rules().namespacesOf(this.table);
		// a table whose rules key no namespace (tags of other tables' entries only) has nothing to flush
		String names = namespaces.isEmpty() ? "(none: the rules of " + this.table + " key no namespace)"
				: namespaces.stream().map(Namespace::id).collect(Collectors.joining(", "));
		ConnectionOptions.Postgres postgres = this.connection.postgres(ops, this.jdbcUrl, this.signalUser);
		out.println(postgres);
		String id = UUID.randomUUID().toString();
		// the table name comes from the rules (checked above), never from free text
		String data = "{\"data-collections\": [\"public." + this.table + "\"], \"type\": \"incremental\"}";
		// Postgres is reached before anything is flushed: a wrong password or URL changes nothing
		try (Connection database = DriverManager.getConnection(postgres.jdbcUrl(), postgres.user(), postgres.password());
				Clients clients = this.connection.connect()) {
			clients.ping();
			NamespaceFlush flush = this.flushOptions.flush(this.connection, clients);
			if (this.dryRun) {
				out.println("Dry run: would flush namespaces " + names + " first (" + WHY + "):");
				for (Namespace namespace : namespaces) {
					out.println("  namespace " + namespace + ": " + NamespaceFlush.number(flush.count(namespace))
							+ " keys matching " + flush.pattern(namespace) + " (values, leases and floors)");
				}
				out.println("then insert an execute-snapshot signal for public." + this.table + " into "
						+ Topics.SIGNAL_TABLE + ". Nothing was changed.");
				return 0;
			}
			out.println("Flushing namespaces " + names + " before the snapshot: " + WHY + ".");
			long removed = 0;
			for (Namespace namespace : namespaces) {
				removed += flush.flush(namespace);
			}
			out.println("Flushed " + NamespaceFlush.number(removed) + " keys of namespaces " + names
					+ "; now signalling the snapshot of public." + this.table + ".");
			try (PreparedStatement insert = database
				.prepareStatement("INSERT INTO " + Topics.SIGNAL_TABLE + " (id, type, data) VALUES (?, 'execute-snapshot', ?)")) {
				insert.setString(1, id);
				insert.setString(2, data);
				insert.executeUpdate();
			}
		}
		catch (SQLException ex) {
			throw new IllegalStateException("cannot signal the connector as " + postgres.user() + ": " + ex.getMessage(), ex);
		}
		out.println("Signal " + id + " sent: Debezium re-reads every row of public." + this.table
				+ " in chunks while it keeps streaming, and the invalidator evicts each row's keys as its read event "
				+ "arrives, also those a fill in flight during the flush stored. Follow it in the cdc-connector's log "
				+ "(incremental snapshot) and in freshline.invalidator.keys.deleted.");
		return 0;
	}
}
