package dev.freshline.pipeline;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import dev.freshline.model.CacheKeys;
import dev.freshline.model.Namespace;

import static org.assertj.core.api.Assertions.assertThat;
import static dev.freshline.pipeline.Waits.await;

/**
 * Every kind of row change, written with raw SQL behind the API's back and carried by the real
 * pipeline, evicts what the rules name: inserts (including a cached "not found"), updates from
 * both images, deletes, primary-key changes (both keys), an unchanged TOASTed key column
 * (namespace flush, with the reason logged), and a change of a table added by configuration only that invalidates a
 * tag. Truncates, snapshot reads, heartbeats, tombstones, unknown tables and malformed records
 * have their own tests (TruncateIntegrationTests, SnapshotReadIntegrationTests,
 * InvalidatorIntegrationTests).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(OutputCaptureExtension.class)
class EventKindsIntegrationTests {

	private PipelineStack stack;

	private CacheKeys keys;

	@BeforeAll
	void startStack() throws Exception {
		// hospital and note exist through SQL and YAML alone: no Java knows about them
		this.stack = PipelineStack.start(Map.of("FLYWAY_LOCATIONS",
				"classpath:db/migration,classpath:db/seed,classpath:db/event-kinds", "FRESHLINE_RULES",
				"classpath:rules/event-kinds.yml"), null);
		this.keys = this.stack.keys();
	}

	@AfterAll
	void stopStack() throws Exception {
		this.stack.close();
	}

	@Test
	void shouldEvictACachedNotFoundWhenTheRowIsInserted() throws Exception {
		String path = "/patients/900001";
		assertThat(Http.get(this.stack.apiUrl(1) + path).statusCode()).isEqualTo(404);
		assertThat(this.stack.redis().exists(this.keys.patient(900001))).as("the 404 is cached").isEqualTo(1);
		fillWard("ward-h");

		this.stack.sql("INSERT INTO patient (id, mrn, name, date_of_birth, ward) OVERRIDING SYSTEM VALUE "
				+ "VALUES (900001, 'MRN-900001', 'Nia Inserted', '1980-01-01', 'ward-h')");

		await().untilAsserted(() -> assertThat(Http.get(this.stack.apiUrl(2) + path).statusCode()).isEqualTo(200));
		assertThat(Http.get(this.stack.apiUrl(1) + "/wards/ward-h/patients").body()).contains("\"id\":900001");
	}

	@Test
	void shouldEvictThePatientAndBothWardsWhenAPatientMoves() throws Exception {
		this.stack.sql("UPDATE patient SET ward = 'ward-a' WHERE id = 61");
		// applied, not only visible: a read misses to Postgres at once, and an invalidation of this
		// update landing after the fill below would delete what it cached
		awaitApplied(61);
		assertThat(Http.get(this.stack.apiUrl(1) + "/wards/ward-a/patients").body()).contains("\"id\":61,");
		fillPatient(61);
		fillWard("ward-b");

		this.stack.sql("UPDATE patient SET ward = 'ward-b' WHERE id = 61");

		await().untilAsserted(() -> assertThat(this.stack.redis()
			.exists(this.keys.patient(61), ward("ward-a"), ward("ward-b"))).isZero());
		assertThat(Http.get(this.stack.apiUrl(2) + "/wards/ward-a/patients").body()).doesNotContain("\"id\":61,");
		assertThat(Http.get(this.stack.apiUrl(2) + "/wards/ward-b/patients").body()).contains("\"id\":61,");
	}

	@Test
	void shouldEvictThePatientAndItsWardWhenAPatientIsDeleted() throws Exception {
		String patientWard = wardOf(62);
		fillPatient(62);
		fillWard(patientWard);

		this.stack.sql("DELETE FROM patient WHERE id = 62");

		await().untilAsserted(() -> assertThat(this.stack.redis().exists(this.keys.patient(62), ward(patientWard))).isZero());
		assertThat(Http.get(this.stack.apiUrl(2) + "/patients/62").statusCode()).isEqualTo(404);
	}

	@Test
	void shouldCarryOnlyTheColumnsTheRulesReadForTablesAddedByConfiguration() throws Exception {
		this.stack.sql("INSERT INTO note (id, label, body) VALUES (7, 'note-seven', 'a body no rule reads')");
		this.stack.sql("UPDATE hospital SET name = 'Renamed General' WHERE id = 2");

		String note = ChangeTopicReader.awaitRecord(this.stack.topics().changes("note"),
				(value) -> value.contains("\"label\":\"note-seven\""));
		String hospital = ChangeTopicReader.awaitRecord(this.stack.topics().changes("hospital"),
				(value) -> value.contains("\"op\":\"u\"") && value.contains("\"id\":2,"));

		assertThat(note).as("key and floor columns only").contains("\"version\":1").doesNotContain("a body no rule reads");
		assertThat(hospital).as("the tag's column and the floor only").contains("\"version\":1")
			.doesNotContain("Renamed General")
			.doesNotContain("Hospital 2");
	}

	@Test
	void shouldEvictTheOldAndTheNewKeyWhenThePrimaryKeyChanges() throws Exception {
		// Debezium reports it as a delete of the old key and a create of the new one
		Namespace hospitals = new Namespace("hospital");
		String oldKey = this.keys.key(hospitals, "4");
		String newKey = this.keys.key(hospitals, "40");
		this.stack.redis().mset(Map.of(oldKey, "cached", newKey, "cached 'not found'"));

		this.stack.sql("UPDATE hospital SET id = 40 WHERE id = 4");

		await().untilAsserted(() -> assertThat(this.stack.redis().exists(oldKey, newKey)).isZero());
		assertThat(this.stack.redis().get(this.keys.floor(oldKey))).as("the old key refuses every later fill")
			.isEqualTo(Long.toString(dev.freshline.model.Invalidation.DELETED));
	}

	@Test
	void shouldFlushTheNamespaceWhenAKeyColumnArrivesAsTheToastPlaceholder(CapturedOutput output) throws Exception {
		String label = "n".repeat(2500);
		this.stack.sql("INSERT INTO note (id, label, body) VALUES (1, '" + label + "', 'first')");
		String noteKey = this.keys.key(new Namespace("note"), label);
		String bystander = this.keys.key(new Namespace("note"), "another-note");
		// the insert's own invalidation raises the key's floor: set the entries only after it, or
		// it would remove them and the flush below would have nothing left to prove
		await().until(() -> this.stack.redis().exists(this.keys.floor(noteKey)) == 1);
		this.stack.redis().mset(Map.of(noteKey, "cached", bystander, "cached"));
		fillPatient(64);
		// The check at start demands FULL, which lets Debezium copy unchanged TOASTed values from
		// the before image. A DBA changing it while everything runs is what leaves the placeholder.
		this.stack.sql("ALTER TABLE note REPLICA IDENTITY DEFAULT");

		// label is unchanged and stored out of line: the after image carries Debezium's placeholder
		this.stack.sql("UPDATE note SET body = 'second' WHERE id = 1");

		await().untilAsserted(() -> assertThat(this.stack.redis().exists(bystander, noteKey)).isZero());
		assertThat(this.stack.redis().exists(this.keys.patient(64))).as("only the note namespace is flushed").isEqualTo(1);
		assertThat(output.getAll()).contains("carries an unchanged TOASTed label (Debezium's placeholder)");
		this.stack.sql("ALTER TABLE note REPLICA IDENTITY FULL");
	}

	@Test
	void shouldInvalidateATagFromATableAddedByConfigurationOnly() throws Exception {
		assertThat(Http.get(this.stack.apiUrl(1) + "/hospitals/3/formulary").statusCode()).isEqualTo(200);
		assertThat(Http.get(this.stack.apiUrl(1) + "/hospitals/2/formulary").statusCode()).isEqualTo(200);
		assertThat(this.stack.redis().exists(this.keys.formulary(3), this.keys.formulary(2))).isEqualTo(2);

		this.stack.sql("UPDATE hospital SET name = 'Renamed Hospital' WHERE id = 3");

		await().untilAsserted(() -> assertThat(this.stack.redis().exists(this.keys.formulary(3))).isZero());
		assertThat(this.stack.redis().exists(this.keys.formulary(2))).as("another hospital's entry stays").isEqualTo(1);
	}

	/** Waits until the invalidator applied the patient's last change: its key's floor is at the row's version. */
	private void awaitApplied(long id) throws Exception {
		long version;
		try (Connection connection = this.stack.connect();
				ResultSet row = connection.createStatement().executeQuery("SELECT version FROM patient WHERE id = " + id)) {
			assertThat(row.next()).isTrue();
			version = row.getLong(1);
		}
		await().until(() -> Long.toString(version).equals(this.stack.redis().get(this.keys.floor(this.keys.patient(id)))));
	}

	private void fillPatient(long id) throws Exception {
		assertThat(Http.get(this.stack.apiUrl(1) + "/patients/" + id).statusCode()).isEqualTo(200);
		assertThat(this.stack.redis().exists(this.keys.patient(id))).isEqualTo(1);
	}

	private void fillWard(String ward) throws Exception {
		assertThat(Http.get(this.stack.apiUrl(1) + "/wards/" + ward + "/patients").statusCode()).isEqualTo(200);
		assertThat(this.stack.redis().exists(ward(ward))).isEqualTo(1);
	}

	private String ward(String ward) {
		return this.keys.key(Namespace.WARD, ward);
	}

	private String wardOf(long patientId) throws Exception {
		try (var connection = this.stack.connect(); Statement statement = connection.createStatement();
				ResultSet result = statement.executeQuery("SELECT ward FROM patient WHERE id = " + patientId)) {
			result.next();
			return result.getString(1);
		}
	}
}
