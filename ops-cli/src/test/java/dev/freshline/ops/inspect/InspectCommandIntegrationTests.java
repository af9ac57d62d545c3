package dev.freshline.ops.inspect;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.freshline.cache.CacheCommands;
import dev.freshline.cache.FillCommands;
import dev.freshline.cache.FillOutcome;
import dev.freshline.cache.ReadReply;
import dev.freshline.embedded.DatabaseRole;
import dev.freshline.embedded.SharedServers;
import dev.freshline.embedded.TestDatabase;
import dev.freshline.model.Invalidation;
import dev.freshline.model.Namespace;
import dev.freshline.ops.Ops;
import dev.freshline.ops.OpsFixture;
import dev.freshline.ops.OpsFixture.Run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * {@code ops inspect} against the real shared Redis and a Postgres database migrated by the API's
 * own migrations (schema, version trigger and the inspect role's column grants), run as the role
 * the command uses. Entries are filled by the fill protocol as the API fills them, and the stale
 * one is planted as a bad replica would leave it: the entry of version 1 dumped, the row updated
 * to version 2 and the entry invalidated, then the dump restored over the invalidation (value
 * back, floor gone).
 */
class InspectCommandIntegrationTests {

	/** The API's migrations, the one home of the schema and its grants, from their sources. */
	private static final Path MIGRATIONS = Path.of("..", "api-service", "src", "main", "resources", "db", "migration");

	private static final Duration LEASE = Duration.ofSeconds(2);

	private final OpsFixture fixture = new OpsFixture();

	private final FillCommands fills = new FillCommands(this.fixture.connections, this.fixture.keys);

	private final CacheCommands invalidator = new CacheCommands(this.fixture.connections, this.fixture.keys,
			Duration.ofMinutes(10), 100, Duration.ofSeconds(5));

	private TestDatabase database;

	@BeforeEach
	void migrate() {
		assertThat(MIGRATIONS).as("the API's migrations, relative to ops-cli").isDirectory();
		this.database = SharedServers.get().newDatabase();
		Flyway.configure()
			.dataSource(this.database.jdbcUrl(), DatabaseRole.OWNER.name(), DatabaseRole.OWNER.password())
			.locations("filesystem:" + MIGRATIONS.toAbsolutePath().normalize())
			.placeholders(Map.of("api_role", DatabaseRole.API.name(), "cdc_role", DatabaseRole.CDC.name(), "signal_role",
					DatabaseRole.SIGNAL.name(), "inspect_role", DatabaseRole.INSPECT.name(), "publication",
					SharedServers.uniqueName("pub")))
			.load()
			.migrate();
	}

	@AfterEach
	void cleanUp() {
		this.fixture.close();
		SharedServers.get().dropDatabase(this.database);
	}

	@Test
	void shouldReportACleanCacheWithExitZero() throws SQLException {
		long first = insertPatient("ward-a");
		long second = insertPatient("ward-a");
		cachePatient(first);
		cachePatient(second);
		cacheWard("ward-a");

		Run run = inspect();

		assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
		assertThat(run.out()).contains("Postgres " + this.database.jdbcUrl() + " as freshline_inspect")
			.endsWith("RESULT checked=3 stale=0 repaired=0" + System.lineSeparator());
		assertThat(row(run.out(), "patient")).containsExactly("patient", "2", "0", "0", "0");
		assertThat(row(run.out(), "ward")).containsExactly("ward", "1", "0", "0", "0");
	}

	@Test
	void shouldFindAnOlderEntryRestoredOverItsInvalidation() throws SQLException {
		long clean = insertPatient("ward-a");
		cachePatient(clean);
		long id = insertPatient("ward-a");
		plantStalePatient(id);

		Run run = inspect();

		assertThat(run.exitCode()).as(run.out() + run.err()).isEqualTo(Ops.FAILED);
		assertThat(run.out()).endsWith("RESULT checked=2 stale=1 repaired=0" + System.lineSeparator());
		assertThat(row(run.out(), "patient")).containsExactly("patient", "2", "1", "0", "0");
		assertThat(row(run.out(), this.fixture.keys.patient(id))).containsExactly(this.fixture.keys.patient(id), "1/1",
				id + ":1", id + ":2", "-");
		// keys and versions only: neither the cached value's nor the row's other fields
		assertThat(run.out()).doesNotContain("Patient " + id, "MRN-");
		// a report changes nothing
		assertThat(this.fixture.redis.opsForValue().get(this.fixture.keys.patient(id))).isNotNull();
	}

	@Test
	void shouldRepairTheStaleEntrySoTheNextReadFillsTheCurrentRow() throws SQLException {
		long id = insertPatient("ward-a");
		plantStalePatient(id);
		String key = this.fixture.keys.patient(id);

		Run run = inspect("--repair");

		assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
		assertThat(run.out()).endsWith("RESULT checked=1 stale=1 repaired=1" + System.lineSeparator());
		assertThat(row(run.out(), key)).containsExactly(key, "1/1", id + ":1", id + ":2", "invalidated,", "floor", "2");
		assertThat(this.fixture.redis.opsForValue().get(key)).as("the stale value").isNull();
		assertThat(this.fixture.redis.opsForValue().get(this.fixture.keys.floor(key))).as("the floor").isEqualTo("2");
		// a reader that still holds version 1 cannot put it back; the next read fills version 2
		String late = UUID.randomUUID().toString();
		assertThat(this.fills.read(key, late, LEASE, Duration.ZERO, System.currentTimeMillis()).outcome())
			.isEqualTo(ReadReply.Outcome.LEASED);
		assertThat(fill(key, late, patientJson(id, "ward-a", 1), 1)).isEqualTo(FillOutcome.BELOW_FLOOR);
		cachePatient(id);
		assertThat(this.fixture.redis.opsForValue().get(key)).contains("\"version\":2");

		Run after = inspect();
		assertThat(after.exitCode()).as(after.out()).isZero();
		assertThat(after.out()).endsWith("RESULT checked=1 stale=0 repaired=0" + System.lineSeparator());
	}

	@Test
	void shouldInspectOnlyTheNamespaceAskedFor() throws SQLException {
		long id = insertPatient("ward-a");
		insertPatient("ward-b");
		cacheWard("ward-a");
		cacheWard("ward-b");
		plantStalePatient(id);
		// the patient's change made ward-a's census stale too; restore it as the same replica would
		String census = this.fixture.keys.key(Namespace.WARD, "ward-a");
		byte[] dump = this.fixture.redis.dump(census);
		this.invalidator.invalidate(List.of(new Invalidation(census, Invalidation.NO_FLOOR)));
		this.fixture.redis.restore(census, dump, 0, TimeUnit.MILLISECONDS, true);

		Run ward = inspect("--namespace", "ward");

		assertThat(ward.exitCode()).as(ward.out() + ward.err()).isEqualTo(Ops.FAILED);
		assertThat(ward.out()).contains("Inspecting namespace ward").doesNotContain("Inspecting namespace patient")
			.endsWith("RESULT checked=2 stale=1 repaired=0" + System.lineSeparator());
		assertThat(row(ward.out(), census)).containsExactly(census, "1/1", id + ":1", id + ":2", "-");

		Run patient = inspect("--namespace", "patient");

		assertThat(patient.out()).doesNotContain("Inspecting namespace ward")
			.endsWith("RESULT checked=1 stale=1 repaired=0" + System.lineSeparator());
	}

	@Test
	void shouldCompareAtMostTheSampleOfEachNamespace() throws SQLException {
		List<Long> ids = new ArrayList<>();
		for (int i = 0; i < 12; i++) {
			long id = insertPatient("ward-c");
			ids.add(id);
			plantStalePatient(id);
		}
		cacheWard("ward-c");

		Run run = inspect("--sample", "5");

		assertThat(run.exitCode()).as(run.out() + run.err()).isEqualTo(Ops.FAILED);
		assertThat(run.out()).contains("the first 5 entries SCAN yields")
			.endsWith("RESULT checked=6 stale=5 repaired=0" + System.lineSeparator());
		assertThat(row(run.out(), "patient")).containsExactly("patient", "5", "5", "0", "0");
		assertThat(row(run.out(), "ward")).containsExactly("ward", "1", "0", "0", "0");

		Run repaired = inspect("--sample", "5", "--repair");
		assertThat(repaired.out()).endsWith("RESULT checked=6 stale=5 repaired=5" + System.lineSeparator());
		assertThat(ids.stream().filter((id) -> this.fixture.redis.hasKey(this.fixture.keys.patient(id)))).hasSize(7);
	}

	@ParameterizedTest
	@CsvSource(delimiter = '|', value = {
			"--namespace|nurse|unknown namespace 'nurse': the rules declare formulary, patient, ward",
			"--namespace|patient:*|unknown namespace 'patient:*': the rules declare formulary, patient, ward",
			"--sample|0|malformed --sample '0': expected a positive whole number",
			"--sample|-3|malformed --sample '-3': expected a positive whole number",
			"--sample|ten|malformed --sample 'ten': expected a positive whole number",
			"--sample|9999999999|malformed --sample '9999999999': expected a positive whole number" })
	void shouldRefuseBadInputBeforeTouchingRedisOrPostgres(String option, String value, String message)
			throws SQLException {
		long id = insertPatient("ward-a");
		plantStalePatient(id);
		Map<String, String> before = this.fixture.snapshot();

		Run run = inspect("--repair", option, value);

		assertThat(run.exitCode()).as(run.out() + run.err()).isEqualTo(Ops.REFUSED);
		assertThat(run.err()).startsWith("ops inspect: " + message);
		assertThat(run.out()).as("nothing was connected").doesNotContain("Postgres", "Redis");
		assertThat(this.fixture.snapshot()).isEqualTo(before);
	}

	@Test
	void shouldReadAsARoleThatCannotReadPatientData() throws SQLException {
		try (Connection connection = this.database.connect(DatabaseRole.INSPECT); Statement statement = connection.createStatement()) {
			statement.executeQuery("SELECT id, version, ward FROM patient").close();
			statement.executeQuery("SELECT id, version, hospital_id, drug_name FROM formulary_item").close();
			for (String sql : List.of("SELECT name FROM patient", "SELECT mrn FROM patient", "SELECT * FROM patient",
					"SELECT strength FROM formulary_item", "UPDATE patient SET ward = ward")) {
				assertThatExceptionOfType(SQLException.class).as(sql)
					.isThrownBy(() -> statement.executeQuery(sql))
					.satisfies((refused) -> assertThat(refused.getSQLState()).isEqualTo("42501"));
			}
		}
	}

	@Test
	void shouldRepairNothingWhenPostgresCannotBeReached() throws SQLException {
		long id = insertPatient("ward-a");
		plantStalePatient(id);

		// nothing listens on port 1: the connection is refused at once
		Run run = this.fixture.ops("inspect", "--repair", "--jdbc-url", "jdbc:postgresql://127.0.0.1:1/freshline");

		assertThat(run.exitCode()).as(run.out()).isEqualTo(Ops.FAILED);
		assertThat(run.err()).contains("cannot read Postgres as freshline_inspect");
		assertThat(this.fixture.redis.opsForValue().get(this.fixture.keys.patient(id))).as("nothing repaired").isNotNull();
	}

	private Run inspect(String... args) {
		List<String> all = new ArrayList<>(List.of(args));
		all.addAll(List.of("--jdbc-url", this.database.jdbcUrl()));
		return this.fixture.ops(Map.of("INSPECT_DB_PASSWORD", DatabaseRole.INSPECT.password()), "inspect",
				all.toArray(String[]::new));
	}

	/**
	 * Caches patient {@code id} at version 1, updates its row to version 2 and invalidates it as the
	 * invalidator would (floor 2), then restores the dumped version-1 entry over it with the floor it
	 * had then (none).
	 */
	private void plantStalePatient(long id) throws SQLException {
		String key = this.fixture.keys.patient(id);
		cachePatient(id);
		byte[] dump = this.fixture.redis.dump(key);
		long version = update(id, ward(id));
		assertThat(version).isEqualTo(2);
		this.invalidator.invalidate(List.of(new Invalidation(key, version)));
		assertThat(this.fixture.redis.hasKey(key)).isFalse();
		this.fixture.redis.restore(key, dump, 0, TimeUnit.MILLISECONDS, true);
		this.fixture.redis.delete(this.fixture.keys.floor(key));
	}

	private long insertPatient(String ward) throws SQLException {
		try (Connection connection = this.database.connect(DatabaseRole.OWNER);
				PreparedStatement insert = connection.prepareStatement("INSERT INTO patient (mrn, name, date_of_birth, ward)"
						+ " VALUES ('MRN-' || gen_random_uuid(), 'Patient ' || currval(pg_get_serial_sequence('patient', 'id')),"
						+ " '1970-01-01', ?) RETURNING id")) {
			insert.setString(1, ward);
			try (ResultSet row = insert.executeQuery()) {
				row.next();
				return row.getLong(1);
			}
		}
	}

	/** Moves patient {@code id} to {@code ward} (the same ward: a touch); returns the new version. */
	private long update(long id, String ward) throws SQLException {
		try (Connection connection = this.database.connect(DatabaseRole.OWNER);
				PreparedStatement update = connection.prepareStatement("UPDATE patient SET ward = ? WHERE id = ? RETURNING version")) {
			update.setString(1, ward);
			update.setLong(2, id);
			try (ResultSet row = update.executeQuery()) {
				row.next();
				return row.getLong(1);
			}
		}
	}

	private String ward(long id) throws SQLException {
		return (String) patient(id).get("ward");
	}

	private Map<String, Object> patient(long id) throws SQLException {
		try (Connection connection = this.database.connect(DatabaseRole.OWNER);
				PreparedStatement select = connection.prepareStatement("SELECT ward, version FROM patient WHERE id = ?")) {
			select.setLong(1, id);
			try (ResultSet row = select.executeQuery()) {
				row.next();
				return Map.of("ward", row.getString(1), "version", row.getLong(2));
			}
		}
	}

	/** Fills patient {@code id}'s entry with its current row, as the API's read path does. */
	private void cachePatient(long id) throws SQLException {
		String key = this.fixture.keys.patient(id);
		Map<String, Object> row = patient(id);
		long version = (Long) row.get("version");
		String token = UUID.randomUUID().toString();
		assertThat(this.fills.read(key, token, LEASE, Duration.ZERO, System.currentTimeMillis()).outcome())
			.isEqualTo(ReadReply.Outcome.LEASED);
		assertThat(fill(key, token, patientJson(id, (String) row.get("ward"), version), version))
			.isEqualTo(FillOutcome.STORED);
	}

	/** Fills {@code ward}'s census (its patients by id) with the current rows. */
	private void cacheWard(String ward) throws SQLException {
		List<String> patients = new ArrayList<>();
		try (Connection connection = this.database.connect(DatabaseRole.OWNER);
				PreparedStatement select = connection.prepareStatement("SELECT id, version FROM patient WHERE ward = ? ORDER BY id")) {
			select.setString(1, ward);
			try (ResultSet row = select.executeQuery()) {
				while (row.next()) {
					patients.add(patientJson(row.getLong(1), ward, row.getLong(2)));
				}
			}
		}
		String key = this.fixture.keys.key(Namespace.WARD, ward);
		String token = UUID.randomUUID().toString();
		assertThat(this.fills.read(key, token, LEASE, Duration.ZERO, System.currentTimeMillis()).outcome())
			.isEqualTo(ReadReply.Outcome.LEASED);
		assertThat(fill(key, token, "[" + String.join(",", patients) + "]", Invalidation.NO_FLOOR))
			.isEqualTo(FillOutcome.STORED);
	}

	private FillOutcome fill(String key, String token, String body, long version) {
		long ttl = Duration.ofMinutes(10).toMillis();
		return this.fills.fill(key, token, body.getBytes(StandardCharsets.UTF_8), version, System.currentTimeMillis() + ttl,
				ttl);
	}

	/** A patient as the API serializes it; the name and MRN must never reach the command's output. */
	private static String patientJson(long id, String ward, long version) {
		return "{\"id\":" + id + ",\"mrn\":\"MRN-" + id + "\",\"name\":\"Patient " + id
				+ "\",\"dateOfBirth\":\"1970-01-01\",\"ward\":\"" + ward + "\",\"version\":" + version + "}";
	}

	/** The cells of the first output line that starts with {@code first}, split on runs of blanks. */
	private static List<String> row(String out, String first) {
		return out.lines()
			.filter((line) -> line.startsWith(first + " "))
			.findFirst()
			.map((line) -> List.of(line.trim().split("\\s+")))
			.orElseThrow(() -> new AssertionError("no line starting with '" + first + "' in:\n" + out));
	}
}
