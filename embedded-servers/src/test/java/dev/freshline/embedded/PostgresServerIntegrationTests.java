package dev.freshline.embedded;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class PostgresServerIntegrationTests {

	@TempDir
	static Path temporary;

	private static PostgresServer postgres;

	@BeforeAll
	static void startPostgres() {
		postgres = PostgresServer.start(temporary.resolve("data"));
	}

	@AfterAll
	static void stopPostgres() {
		if (postgres != null) {
			postgres.close();
		}
	}

	@Test
	void shouldRunWithLogicalWalAndSynchronousCommit() throws SQLException {
		assertThat(postgres.host()).isEqualTo("127.0.0.1");
		assertThat(setting("wal_level")).isEqualTo("logical");
		assertThat(setting("synchronous_commit")).isEqualTo("on");
		assertThat(setting("max_replication_slots")).isEqualTo("32");
		assertThat(setting("max_wal_senders")).isEqualTo("32");
		assertThat(setting("listen_addresses")).isEqualTo("127.0.0.1");
	}

	@Test
	void shouldExposeThePostmasterPid() {
		assertThat(ProcessHandle.of(postgres.pid())).hasValueSatisfying((process) -> {
			assertThat(process.isAlive()).isTrue();
			assertThat(process.info().command()).hasValueSatisfying((command) -> assertThat(command).endsWith("postgres"));
		});
		assertThat(postgres.dataDirectory().resolve("postmaster.pid")).exists();
	}

	@Test
	void shouldCreateAndDropALogicalSlotWithPgoutput() throws SQLException {
		String slot = SharedServers.uniqueName("slot");
		postgres.execute("postgres", "SELECT pg_create_logical_replication_slot('" + slot + "', 'pgoutput')");
		assertThat(query("postgres", "SELECT plugin FROM pg_replication_slots WHERE slot_name = '" + slot + "'"))
				.containsExactly("pgoutput");

		postgres.execute("postgres", "SELECT pg_drop_replication_slot('" + slot + "')");
		assertThat(query("postgres", "SELECT plugin FROM pg_replication_slots WHERE slot_name = '" + slot + "'"))
				.isEmpty();
	}

	@Test
	void shouldStreamLogicalChangesWithPgoutput() throws SQLException {
		String database = SharedServers.uniqueName("stream");
		postgres.ensureRole("stream_owner", "secret", false);
		postgres.createDatabase(database, "stream_owner");
		postgres.execute(database, "CREATE TABLE item (id int PRIMARY KEY, name text);"
				+ "CREATE PUBLICATION items FOR TABLE item");
		// A slot cannot be created in a transaction that has written, hence separate statements.
		postgres.execute(database, "SELECT pg_create_logical_replication_slot('" + database + "', 'pgoutput')");
		postgres.execute(database, "INSERT INTO item VALUES (1, 'apple')");

		// pgoutput speaks a binary protocol; peeking proves it decodes the insert into a message.
		List<String> changes = query(database, "SELECT count(*) FROM pg_logical_slot_peek_binary_changes('"
				+ database + "', NULL, NULL, 'proto_version', '1', 'publication_names', 'items')");
		assertThat(Integer.parseInt(changes.get(0))).isGreaterThanOrEqualTo(3); // BEGIN, RELATION, INSERT, COMMIT

		postgres.dropDatabase(database);
		assertThat(query("postgres", "SELECT datname FROM pg_database WHERE datname = '" + database + "'")).isEmpty();
		assertThat(query("postgres", "SELECT slot_name FROM pg_replication_slots WHERE database = '" + database + "'"))
				.isEmpty();
	}

	@Test
	void shouldCreateADatabaseOwnedByAnEnsuredRole() throws SQLException {
		postgres.ensureRole("app_owner", "first", false);
		postgres.ensureRole("app_owner", "it's \\ second", false);
		postgres.createDatabase("app_db", "app_owner");

		try (Connection connection = DriverManager.getConnection(postgres.jdbcUrl("app_db"), "app_owner", "it's \\ second");
				Statement statement = connection.createStatement()) {
			statement.execute("CREATE TABLE t (id int)");
		}
		assertThat(query("postgres",
				"SELECT r.rolname FROM pg_database d JOIN pg_roles r ON r.oid = d.datdba WHERE d.datname = 'app_db'"))
				.containsExactly("app_owner");
		assertThat(query("postgres", "SELECT rolcanlogin::text || ',' || rolreplication::text FROM pg_roles"
				+ " WHERE rolname = 'app_owner'")).containsExactly("true,false");
	}

	@Test
	void shouldStoreThePasswordVerbatimEvenWithQuotesAndBackslashes() throws Exception {
		String password = "a'b\\c'; DROP ROLE postgres; --";
		postgres.ensureRole("quoted_role", password, false);

		// Trust authentication never checks passwords, so verify the stored SCRAM secret instead.
		String secret = query("postgres", "SELECT rolpassword FROM pg_authid WHERE rolname = 'quoted_role'").get(0);
		assertThat(ScramSecret.matches(secret, password)).isTrue();
		assertThat(ScramSecret.matches(secret, "a'b")).isFalse();
		assertThat(query("postgres", "SELECT count(*) FROM pg_roles WHERE rolname = 'postgres'")).containsExactly("1");
	}

	@Test
	void shouldGrantReplicationWhenAsked() throws SQLException {
		postgres.ensureRole("cdc_role", "cdc", true);
		assertThat(query("postgres", "SELECT rolreplication::text FROM pg_roles WHERE rolname = 'cdc_role'"))
				.containsExactly("true");
	}

	@ParameterizedTest
	@ValueSource(strings = {"", "Upper", "1starts_with_digit", "has-dash", "semi;colon", "quote\"d",
			"a_name_that_is_way_too_long_for_postgres_identifiers_abcdefghijklm"})
	void shouldRejectInvalidNames(String name) {
		assertThatThrownBy(() -> postgres.createDatabase(name, "postgres")).isInstanceOf(IllegalArgumentException.class);
		assertThatThrownBy(() -> postgres.createDatabase("ok_db", name)).isInstanceOf(IllegalArgumentException.class);
		assertThatThrownBy(() -> postgres.ensureRole(name, "pw", false)).isInstanceOf(IllegalArgumentException.class);
	}

	@Test
	void shouldRefuseToWipeADirectoryThatIsNotAPostgresDataDirectory(@TempDir Path directory) throws Exception {
		Files.writeString(directory.resolve("precious.txt"), "keep me");

		assertThatThrownBy(() -> PostgresServer.start(directory)).isInstanceOf(EmbeddedServerException.class);
		assertThat(directory.resolve("precious.txt")).exists();
	}

	@Test
	void shouldStopAndDeleteTheDataDirectoryOnClose(@TempDir Path parent) {
		Path directory = parent.resolve("data");
		PostgresServer server = PostgresServer.start(directory);
		long pid = server.pid();

		server.close();

		assertThat(directory).doesNotExist();
		// The postmaster is not our child: init reaps it, on this machine up to ~2 s later.
		await().atMost(Duration.ofSeconds(15))
				.until(() -> !ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
	}

	private static String setting(String name) throws SQLException {
		return query("postgres", "SHOW " + name).get(0);
	}

	private static List<String> query(String database, String sql) throws SQLException {
		try (Connection connection = DriverManager.getConnection(postgres.jdbcUrl(database), postgres.superuser(),
						postgres.superuserPassword());
				Statement statement = connection.createStatement();
				ResultSet rows = statement.executeQuery(sql)) {
			List<String> values = new ArrayList<>();
			while (rows.next()) {
				values.add(rows.getString(1));
			}
			return values;
		}
	}
}
