package dev.freshline.ops.resnapshot;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.UUID;
import java.util.concurrent.Callable;

import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import dev.freshline.model.Topics;
import dev.freshline.ops.ChangeTopic;
import dev.freshline.ops.ConnectionOptions;
import dev.freshline.ops.Endpoints;
import dev.freshline.ops.Ops;

/**
 * Asks Debezium for an incremental snapshot of one table: it re-reads every row in chunks while
 * streaming goes on, and each row's read event invalidates its keys. The repair for a cache that
 * outlived the change topic's retention, where replay has nothing left to read. The signal is
 * inserted as the signal role, which may do that and nothing else; the connector accepts
 * signals from its signal table only.
 */
@Command(name = "resnapshot", mixinStandardHelpOptions = true,
		description = { "Re-read every row of a table through Debezium (an incremental snapshot), so every "
				+ "row's keys are invalidated even when the change topic no longer holds their history." })
public final class ResnapshotCommand implements Callable<Integer> {

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

	@Option(names = "--dry-run", description = "Check the table and the connection; insert nothing")
	boolean dryRun;

	@Override
	public Integer call() {
		Ops ops = this.connection.ops();
		PrintWriter out = this.connection.out();
		Endpoints endpoints = this.connection.endpoints();
		// refuses a table without a rule, with the same message as replay
		ChangeTopic.of(this.table, null, endpoints.topics(), endpoints.rules(), endpoints.rulesLocation());
		ConnectionOptions.Postgres postgres = this.connection.postgres(ops, this.jdbcUrl, this.signalUser);
		out.println(postgres);
		String id = UUID.randomUUID().toString();
		// the table name comes from the rules (checked above), never from free text
		String data = "{\"data-collections\": [\"public." + this.table + "\"], \"type\": \"incremental\"}";
		try (Connection database = DriverManager.getConnection(postgres.jdbcUrl(), postgres.user(), postgres.password())) {
			if (this.dryRun) {
				out.println("Dry run: would insert execute-snapshot signal for public." + this.table
						+ " into " + Topics.SIGNAL_TABLE + ". Nothing was changed.");
				return 0;
			}
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
				+ "arrives. Follow it in the cdc-connector's log (incremental snapshot) and in "
				+ "freshline.invalidator.keys.deleted.");
		return 0;
	}
}
