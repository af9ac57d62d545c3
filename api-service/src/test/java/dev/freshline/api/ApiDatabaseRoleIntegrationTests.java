package dev.freshline.api;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.context.ConfigurableApplicationContext;

import dev.freshline.embedded.DatabaseRole;
import dev.freshline.embedded.SharedServers;
import dev.freshline.embedded.TestDatabase;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The API serves as a role that may read and write rows but not change the schema: a bug or an
 * injection in the API cannot create, alter, drop or truncate tables. The schema here is the one
 * the API's own Flyway run made, as the owner, with the grants its migrations write; the same
 * statements succeed as the owner, so a refusal is the grant's doing and not a typo's.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ApiDatabaseRoleIntegrationTests {

	/** Postgres' insufficient_privilege, for "permission denied" and "must be owner" alike. */
	private static final String INSUFFICIENT_PRIVILEGE = "42501";

	private TestDatabase database;

	private ConfigurableApplicationContext api;

	@BeforeAll
	void migrate() {
		this.database = SharedServers.get().newDatabase();
		this.api = TestApi.start(TestApi.environment(this.database, SharedServers.get().redis(), SharedServers.uniqueName("role"))
			// rows in patient, so a TRUNCATE that got through would show
			.demoData());
	}

	@AfterAll
	void stop() {
		this.api.close();
		SharedServers.get().dropDatabase(this.database);
	}

	@Test
	void shouldLetTheApiRoleReadAndWritePatientRows() throws SQLException {
		try (Connection connection = this.database.connect(this.database.api())) {
			long id;
			try (Statement statement = connection.createStatement();
					ResultSet inserted = statement.executeQuery("INSERT INTO patient (mrn, name, date_of_birth, ward)"
							+ " VALUES ('MRN-ROLE-1', 'Ada Role', '1990-01-02', 'ward-a') RETURNING id")) {
				inserted.next();
				id = inserted.getLong(1);
			}
			try (PreparedStatement update = connection.prepareStatement("UPDATE patient SET ward = 'ward-b' WHERE id = ?")) {
				update.setLong(1, id);
				assertThat(update.executeUpdate()).isEqualTo(1);
			}
			try (PreparedStatement select = connection.prepareStatement("SELECT ward, version FROM patient WHERE id = ?")) {
				select.setLong(1, id);
				try (ResultSet row = select.executeQuery()) {
					assertThat(row.next()).isTrue();
					assertThat(row.getString("ward")).isEqualTo("ward-b");
					// the owner's version trigger runs for the API's writes too
					assertThat(row.getLong("version")).isEqualTo(2);
				}
			}
		}
	}

	// unqualified, as the API would write them: the API role has no schema of its own, so its
	// search path resolves to public, where the migrations put the tables
	@ParameterizedTest
	@ValueSource(strings = { "CREATE TABLE scratch (id int)", "ALTER TABLE patient ADD COLUMN scratch text",
			"DROP TABLE patient", "TRUNCATE patient" })
	void shouldRefuseSchemaChangesToTheApiRole(String ddl) throws SQLException {
		assertThatExceptionOfType(SQLException.class).as("the API's role runs %s", ddl)
			.isThrownBy(() -> executeAndRollBack(this.database.api(), ddl))
			.satisfies((refused) -> assertThat(refused.getSQLState()).as(refused.getMessage())
				.isEqualTo(INSUFFICIENT_PRIVILEGE));
		assertThat(patientRows()).as("patient is still there, rows and all").isPositive();
	}

	@ParameterizedTest
	@ValueSource(strings = { "CREATE TABLE scratch (id int)", "ALTER TABLE patient ADD COLUMN scratch text",
			"DROP TABLE patient", "TRUNCATE patient" })
	void shouldAllowTheSameStatementsToTheOwner(String ddl) throws SQLException {
		// the negative control: the statements are valid and the schema is where the API role
		// looked; Postgres' DDL is transactional, so the rollback leaves the schema as it was
		executeAndRollBack(this.database.owner(), ddl);

		assertThat(patientRows()).as("the rollback undid %s", ddl).isPositive();
	}

	private void executeAndRollBack(DatabaseRole role, String sql) throws SQLException {
		// a statement wrongly allowed to the API role fails its test without changing the schema
		// the other tests use
		try (Connection connection = this.database.connect(role)) {
			connection.setAutoCommit(false);
			try (Statement statement = connection.createStatement()) {
				statement.execute(sql);
			}
			finally {
				connection.rollback();
			}
		}
	}

	private long patientRows() throws SQLException {
		try (Connection connection = this.database.connect(this.database.owner());
				Statement statement = connection.createStatement();
				ResultSet count = statement.executeQuery("SELECT count(*) FROM patient")) {
			count.next();
			return count.getLong(1);
		}
	}
}
