package dev.freshline.embedded;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Pattern;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real PostgreSQL 17 server (zonky's embedded binaries) configured for logical decoding, so the
 * CDC pipeline can stream changes with pgoutput exactly as it would from a production server.
 */
public final class PostgresServer implements AutoCloseable {

	private static final Logger log = LoggerFactory.getLogger(PostgresServer.class);

	private static final String HOST = "127.0.0.1";

	/** The superuser initdb creates; a harness that must terminate backends or drop slots logs in as it. */
	public static final String SUPERUSER = "postgres";
	// initdb runs with "-A trust", so the password is never checked; clients still want one.
	public static final String SUPERUSER_PASSWORD = "postgres";

	private static final Pattern NAME = Pattern.compile("^[a-z_][a-z0-9_]{0,62}$");

	private static final String DUPLICATE_OBJECT = "42710";

	private static final String UNIQUE_VIOLATION = "23505";

	private final EmbeddedPostgres postgres;

	private final Path dataDirectory;

	private final CloseOnce closeOnce;

	private PostgresServer(EmbeddedPostgres postgres, Path dataDirectory) {
		this.postgres = postgres;
		this.dataDirectory = dataDirectory;
		this.closeOnce = new CloseOnce("postgres-" + postgres.getPort() + "-shutdown", this::close);
	}

	/**
	 * Runs initdb in {@code dataDirectory} and starts a postmaster on a free port of 127.0.0.1. The
	 * directory must be empty, absent, or a data directory left by an earlier run, which is discarded.
	 */
	public static PostgresServer start(Path dataDirectory) {
		Path directory = dataDirectory.toAbsolutePath();
		stopStalePostmaster(directory);
		Directories.discardPrevious(directory, "PG_VERSION", "Postgres");
		long started = System.nanoTime();
		try {
			EmbeddedPostgres postgres = EmbeddedPostgres.builder()
					.setDataDirectory(directory)
					.setCleanDataDirectory(true)
					// Our own hook stops the server: zonky's would race ours and delete the directory
					// while the postmaster is still writing its shutdown checkpoint.
					.setRegisterShutdownHook(false)
					.setPort(FreePorts.find())
					.setPGStartupWait(Duration.ofSeconds(30))
					.setServerConfig("listen_addresses", HOST)
					// Logical decoding for Debezium's pgoutput slots, with room for many test slots.
					.setServerConfig("wal_level", "logical")
					.setServerConfig("max_replication_slots", "32")
					.setServerConfig("max_wal_senders", "32")
					// zonky defaults to off, which delays logical decoding by ~150 ms per commit.
					.setServerConfig("synchronous_commit", "on")
					.setServerConfig("max_connections", "300")
					// zonky already passes -F (fsync off); say so explicitly for the reader.
					.setServerConfig("fsync", "off")
					.start();
			log.info("Postgres started on {}:{} in {} ms (data {})", HOST, postgres.getPort(),
					TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), directory);
			return new PostgresServer(postgres, directory);
		}
		catch (IOException | RuntimeException ex) {
			throw new EmbeddedServerException("Postgres did not start in " + directory, ex);
		}
	}

	public String host() {
		return HOST;
	}

	public int port() {
		return this.postgres.getPort();
	}

	public String superuser() {
		return SUPERUSER;
	}

	public String superuserPassword() {
		return SUPERUSER_PASSWORD;
	}

	/** A JDBC URL without credentials, so each caller connects as the role it is meant to use. */
	public String jdbcUrl(String database) {
		return "jdbc:postgresql://" + HOST + ":" + port() + "/" + database;
	}

	public Path dataDirectory() {
		return this.dataDirectory;
	}

	/** The postmaster's pid, which a launcher records to sweep orphans after a SIGKILL. */
	public long pid() {
		return readPostmasterPid(this.dataDirectory)
				.orElseThrow(() -> new EmbeddedServerException("No postmaster.pid in " + this.dataDirectory));
	}

	/** Creates database {@code name} owned by role {@code owner}; both must match {@code ^[a-z_][a-z0-9_]{0,62}$}. */
	public void createDatabase(String name, String owner) {
		requireValidName(name);
		requireValidName(owner);
		execute("postgres", "CREATE DATABASE " + quoted(name) + " OWNER " + quoted(owner));
	}

	/**
	 * Drops a database even while clients are connected, after dropping the replication slots that
	 * would otherwise block the drop (and pin WAL for the rest of the server's life).
	 */
	public void dropDatabase(String name) {
		requireValidName(name);
		try (Connection connection = connect("postgres")) {
			try (PreparedStatement terminate = connection.prepareStatement(
					"SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots"
							+ " WHERE database = ? AND active_pid IS NOT NULL")) {
				terminate.setString(1, name);
				terminate.execute();
			}
			dropInactiveSlots(connection, name);
			try (Statement statement = connection.createStatement()) {
				statement.execute("DROP DATABASE IF EXISTS " + quoted(name) + " WITH (FORCE)");
			}
		}
		catch (SQLException ex) {
			throw new EmbeddedServerException("Cannot drop database " + name, ex);
		}
	}

	/**
	 * Creates a LOGIN role, or updates the password (and REPLICATION attribute) of an existing one,
	 * so repeated calls converge instead of failing.
	 */
	public void ensureRole(String name, String password, boolean replication) {
		requireValidName(name);
		try (Connection connection = connect("postgres");
				Statement statement = connection.createStatement()) {
			// escapeLiteral honours standard_conforming_strings and rejects NUL: the password is never
			// concatenated raw into DDL, which cannot take bind parameters.
			String attributes = " LOGIN " + (replication ? "REPLICATION" : "NOREPLICATION") + " PASSWORD "
					+ "'" + connection.unwrap(PGConnection.class).escapeLiteral(password) + "'";
			if (roleExists(connection, name)) {
				statement.execute("ALTER ROLE " + quoted(name) + attributes);
				return;
			}
			try {
				statement.execute("CREATE ROLE " + quoted(name) + attributes);
			}
			catch (SQLException ex) {
				// Another thread created it between our check and our CREATE.
				if (!DUPLICATE_OBJECT.equals(ex.getSQLState()) && !UNIQUE_VIOLATION.equals(ex.getSQLState())) {
					throw ex;
				}
				statement.execute("ALTER ROLE " + quoted(name) + attributes);
			}
		}
		catch (SQLException ex) {
			throw new EmbeddedServerException("Cannot ensure role " + name, ex);
		}
	}

	/** Runs {@code sql} (one or more statements) as the superuser in {@code database}. */
	public void execute(String database, String sql) {
		try (Connection connection = connect(database);
				Statement statement = connection.createStatement()) {
			statement.execute(sql);
		}
		catch (SQLException ex) {
			throw new EmbeddedServerException("SQL failed in database " + database + ": " + sql, ex);
		}
	}

	/** Stops the postmaster ("fast" mode) and deletes the data directory. */
	@Override
	public synchronized void close() {
		if (!this.closeOnce.first()) {
			return;
		}
		// "pg_ctl stop -w" returns once the postmaster removed postmaster.pid, its last act: the port is
		// free by then. The exited process is no longer our child, so init reaps it (some init
		// processes only every couple of seconds; ProcessHandle reports such a zombie as alive).
		try {
			this.postgres.close();
		}
		catch (IOException ex) {
			throw new EmbeddedServerException("Postgres did not stop cleanly", ex);
		}
		// zonky deletes the directory already; this covers the ot.epg.no-cleanup escape hatch.
		Directories.deleteRecursively(this.dataDirectory);
	}

	@Override
	public String toString() {
		return "PostgresServer[" + HOST + ":" + port() + "]";
	}

	private Connection connect(String database) throws SQLException {
		Properties properties = new Properties();
		properties.setProperty("user", SUPERUSER);
		properties.setProperty("password", SUPERUSER_PASSWORD);
		properties.setProperty("connectTimeout", "10");
		return DriverManager.getConnection(jdbcUrl(database), properties);
	}

	private static boolean roleExists(Connection connection, String name) throws SQLException {
		try (PreparedStatement query = connection.prepareStatement("SELECT 1 FROM pg_roles WHERE rolname = ?")) {
			query.setString(1, name);
			try (ResultSet rows = query.executeQuery()) {
				return rows.next();
			}
		}
	}

	private static void dropInactiveSlots(Connection connection, String database) throws SQLException {
		// A terminated walsender releases its slot asynchronously: retry briefly while it is still active.
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
		while (true) {
			try (PreparedStatement drop = connection.prepareStatement(
					"SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE database = ?")) {
				drop.setString(1, database);
				drop.execute();
				return;
			}
			catch (SQLException ex) {
				// 55006: object_in_use, the slot is still held by a dying walsender.
				if (!"55006".equals(ex.getSQLState()) || System.nanoTime() > deadline) {
					throw ex;
				}
				LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
			}
		}
	}

	private static void requireValidName(String name) {
		if (!NAME.matcher(name).matches()) {
			throw new IllegalArgumentException("Invalid Postgres name '" + name + "': must match " + NAME.pattern());
		}
	}

	private static String quoted(String validatedName) {
		return '"' + validatedName + '"';
	}

	private static Optional<Long> readPostmasterPid(Path dataDirectory) {
		Path pidFile = dataDirectory.resolve("postmaster.pid");
		try {
			if (!Files.exists(pidFile)) {
				return Optional.empty();
			}
			String firstLine = Files.readAllLines(pidFile, StandardCharsets.UTF_8).stream().findFirst().orElse("");
			return Optional.of(Long.parseLong(firstLine.trim()));
		}
		catch (IOException | NumberFormatException ex) {
			throw new EmbeddedServerException("Unreadable " + pidFile, ex);
		}
	}

	/**
	 * Stops a postmaster orphaned by a killed JVM on this data directory, so that wiping it does not
	 * leave a server running on deleted files and holding a port.
	 */
	private static void stopStalePostmaster(Path dataDirectory) {
		Optional<ProcessHandle> stale = readPostmasterPid(dataDirectory)
				.flatMap(ProcessHandle::of)
				.filter(ProcessHandle::isAlive)
				.filter((process) -> process.info().command().map((command) -> command.endsWith("postgres")).orElse(false));
		stale.ifPresent((process) -> {
			log.warn("Stopping orphaned postmaster {} of {}", process.pid(), dataDirectory);
			process.destroy();
			if (!awaitExit(process, Duration.ofSeconds(10))) {
				process.destroyForcibly();
			}
		});
	}

	private static boolean awaitExit(ProcessHandle process, Duration timeout) {
		try {
			process.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
			return true;
		}
		catch (TimeoutException | ExecutionException ex) {
			return false;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new EmbeddedServerException("Interrupted while waiting for postmaster " + process.pid() + " to exit", ex);
		}
	}
}
