package dev.freshline.invalidator.invalidation;

import java.sql.Connection;
import java.sql.Statement;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import dev.freshline.embedded.DatabaseRole;
import dev.freshline.embedded.SharedServers;
import dev.freshline.embedded.TestDatabase;
import dev.freshline.model.RuleSet;
import dev.freshline.model.SchemaCheckException;
import dev.freshline.support.PostgresSchemaCheck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The start-up check against a real Postgres, as the catalog-only invalidator role: it names
 * each way the schema can fail the rules, with the SQL that fixes it, and the invalidator
 * refuses to start on any of them.
 */
class SchemaCheckIntegrationTests {

	private final PostgresSchemaCheck check = new PostgresSchemaCheck(RuleSet.loadDefault());

	private TestDatabase database;

	private InvalidatorStack stack;

	@BeforeEach
	void createSchema() throws Exception {
		this.database = SharedServers.get().newDatabase();
		sql("""
				CREATE TABLE patient (id bigint PRIMARY KEY, ward varchar(32) NOT NULL, version bigint NOT NULL);
				CREATE TABLE formulary_item (id bigint PRIMARY KEY, hospital_id bigint NOT NULL, version bigint NOT NULL);
				ALTER TABLE patient REPLICA IDENTITY FULL;
				ALTER TABLE formulary_item REPLICA IDENTITY FULL;
				CREATE PUBLICATION checked FOR TABLE patient, formulary_item;
				""");
	}

	@AfterEach
	void dropDatabase() {
		if (this.stack != null) {
			this.stack.close();
		}
		SharedServers.get().dropDatabase(this.database);
	}

	@Test
	void shouldPassASchemaThatDeliversEveryTemplateColumn() throws Exception {
		try (Connection connection = this.database.connect(DatabaseRole.INVALIDATOR)) {
			assertThatCode(() -> this.check.verify(connection, "checked")).doesNotThrowAnyException();
		}
	}

	@Test
	void shouldNameTheFixWhenTheReplicaIdentityLacksATemplateColumn() throws Exception {
		sql("ALTER TABLE patient REPLICA IDENTITY DEFAULT");

		assertProblem("REPLICA IDENTITY DEFAULT (primary key [id])", "carry ward",
				"ALTER TABLE public.patient REPLICA IDENTITY FULL;");
	}

	@Test
	void shouldAcceptAnIdentityIndexThatCoversTheTemplateColumns() throws Exception {
		sql("""
				CREATE UNIQUE INDEX formulary_identity ON formulary_item (id, hospital_id);
				ALTER TABLE formulary_item REPLICA IDENTITY USING INDEX formulary_identity;
				""");

		try (Connection connection = this.database.connect(DatabaseRole.INVALIDATOR)) {
			assertThatCode(() -> this.check.verify(connection, "checked")).doesNotThrowAnyException();
		}
	}

	@Test
	void shouldNameTheFixWhenATableIsNotPublished() throws Exception {
		sql("ALTER PUBLICATION checked DROP TABLE formulary_item");

		assertProblem("not in publication 'checked'", "ALTER PUBLICATION checked ADD TABLE public.formulary_item;");
	}

	@Test
	void shouldRefuseAColumnThatAllowsLongerIdsThanTheNamespace() throws Exception {
		sql("ALTER TABLE patient ALTER COLUMN ward TYPE text");

		assertProblem("column patient.ward is text", "valid text(32) id");
	}

	@Test
	void shouldNameTheFixWhenThePublicationSkipsOperations() throws Exception {
		sql("ALTER PUBLICATION checked SET (publish = 'insert')");

		assertProblem("publication 'checked' does not publish update, delete, truncate",
				"ALTER PUBLICATION checked SET (publish = 'insert, update, delete, truncate');");
	}

	@Test
	void shouldNameTheFixWhenAPublishedTableHasARowFilter() throws Exception {
		sql("ALTER PUBLICATION checked SET TABLE patient WHERE (ward <> 'ward-x'), formulary_item");

		assertProblem("table patient is published in 'checked' with a row filter",
				"ALTER PUBLICATION checked DROP TABLE public.patient; ALTER PUBLICATION checked ADD TABLE public.patient;");
	}

	@Test
	void shouldRefuseAMissingPublication() throws Exception {
		try (Connection connection = this.database.connect(DatabaseRole.INVALIDATOR)) {
			assertThatThrownBy(() -> this.check.verify(connection, "nope")).isInstanceOf(SchemaCheckException.class)
				.hasMessageContaining("CREATE PUBLICATION nope");
		}
	}

	@Test
	void shouldKeepTheInvalidatorFromStartingOnAFailedCheck() throws Exception {
		sql("ALTER TABLE patient REPLICA IDENTITY DEFAULT");
		Map<String, Object> environment = new java.util.HashMap<>(this.database.serviceEnvironment());
		environment.put("CDC_PUBLICATION_NAME", "checked");
		environment.put("INVALIDATOR_SCHEMA_CHECK", true);
		environment.put("freshline.invalidator.schema-check.timeout", "300ms");

		assertThatThrownBy(() -> new InvalidatorStack(SharedServers.get().redis(), environment).close())
			.rootCause()
			.isInstanceOf(SchemaCheckException.class)
			.hasMessageContaining("ALTER TABLE public.patient REPLICA IDENTITY FULL;");
	}

	@Test
	@ExtendWith(OutputCaptureExtension.class)
	void shouldStartOnceTheMigrationsThatFixTheSchemaHaveRun(CapturedOutput output) throws Exception {
		sql("ALTER TABLE patient REPLICA IDENTITY DEFAULT");
		Map<String, Object> environment = new java.util.HashMap<>(this.database.serviceEnvironment());
		environment.put("CDC_PUBLICATION_NAME", "checked");
		environment.put("INVALIDATOR_SCHEMA_CHECK", true);
		environment.put("freshline.invalidator.schema-check.timeout", "2m");
		CompletableFuture<InvalidatorStack> starting = CompletableFuture
			.supplyAsync(() -> new InvalidatorStack(SharedServers.get().redis(), environment));
		try {
			Waits.await("the first check failed")
				.until(() -> output.getAll().contains("Schema check failed, checking again") || starting.isDone());
			assertThat(starting).as("still waiting for the schema").isNotDone();

			// the API's migrations finish
			sql("ALTER TABLE patient REPLICA IDENTITY FULL");

			this.stack = starting.get(90, TimeUnit.SECONDS);
		}
		finally {
			if (this.stack == null) {
				starting.thenAccept(InvalidatorStack::close);
			}
		}
		assertThat(output.getAll()).contains("Schema check passed");
		assertThat(this.stack.bean(ListenerHealth.class).health().getStatus()).isEqualTo(Status.UP);
	}

	private void assertProblem(String... fragments) throws Exception {
		try (Connection connection = this.database.connect(DatabaseRole.INVALIDATOR)) {
			assertThatThrownBy(() -> this.check.verify(connection, "checked")).isInstanceOf(SchemaCheckException.class)
				.hasMessageContainingAll(fragments);
		}
	}

	private void sql(String statements) throws Exception {
		try (Connection connection = this.database.connect(DatabaseRole.OWNER);
				Statement statement = connection.createStatement()) {
			statement.execute(statements);
		}
	}
}
