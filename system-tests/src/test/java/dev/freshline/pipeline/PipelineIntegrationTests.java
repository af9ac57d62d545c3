package dev.freshline.pipeline;

import java.net.http.HttpResponse;
import java.sql.PreparedStatement;
import java.sql.ResultSet;

import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import dev.freshline.embedded.SharedServers;

import static org.assertj.core.api.Assertions.assertThat;
import static dev.freshline.pipeline.Waits.await;

/**
 * The walking skeleton's promise, end to end: a change committed by plain SQL travels through
 * Debezium, Kafka and the invalidator, removes the cached key, and the other API instance then
 * serves the new value.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PipelineIntegrationTests {

	private PipelineStack stack;

	@BeforeAll
	void startStack() throws Exception {
		this.stack = PipelineStack.start();
	}

	@AfterAll
	void stopStack() throws Exception {
		if (this.stack != null) {
			this.stack.close();
		}
	}

	@Test
	void shouldEvictPatientKeyWhenRowIsUpdatedBySqlAndServeNewValueOnOtherInstance() throws Exception {
		String key = this.stack.keys().patient(42);
		HttpResponse<String> before = Http.get(this.stack.apiUrl(1) + "/patients/42");
		assertThat(before.statusCode()).isEqualTo(200);
		assertThat(before.body()).contains("\"name\":\"Patient 42\"");
		assertThat(this.stack.redis().exists(key)).as("filled by the read on api-1").isEqualTo(1);

		this.stack.sql("UPDATE patient SET name = 'Renamed by SQL' WHERE id = 42");

		await().untilAsserted(() -> assertThat(this.stack.redis().exists(key)).isZero());
		HttpResponse<String> after = Http.get(this.stack.apiUrl(2) + "/patients/42");
		assertThat(after.statusCode()).isEqualTo(200);
		assertThat(after.body()).contains("\"name\":\"Renamed by SQL\"").contains("\"version\":2");
	}

	@Test
	void shouldServeAnAdminWriteOnTheOtherInstance() throws Exception {
		assertThat(Http.get(this.stack.apiUrl(2) + "/patients/43").body()).contains("\"ward\":\"ward-d\"");
		String key = this.stack.keys().patient(43);
		assertThat(this.stack.redis().exists(key)).isEqualTo(1);

		HttpResponse<String> written = Http.put(this.stack.apiUrl(1) + "/admin/patients/43",
				"{\"mrn\":\"MRN-000043\",\"name\":\"Patient 43\",\"dateOfBirth\":\"1980-01-01\",\"ward\":\"ward-icu\"}");

		assertThat(written.statusCode()).isEqualTo(200);
		assertThat(written.body()).contains("\"version\":2");
		// the writing instance evicted it before answering; the change stream deletes it again later
		assertThat(this.stack.redis().exists(key)).isZero();
		assertThat(Http.get(this.stack.apiUrl(2) + "/patients/43").body()).contains("\"ward\":\"ward-icu\"");
	}

	@Test
	void shouldRejectAnInvalidAdminWriteWithAProblem() throws Exception {
		HttpResponse<String> rejected = Http.put(this.stack.apiUrl(1) + "/admin/patients/44",
				"{\"mrn\":\"bad mrn\",\"name\":\"\",\"dateOfBirth\":\"2999-01-01\",\"ward\":\"ward-a\"}");

		assertThat(rejected.statusCode()).isEqualTo(400);
		assertThat(rejected.headers().firstValue("Content-Type")).hasValue("application/problem+json");
		assertThat(Http.get(this.stack.apiUrl(1) + "/patients/44").body()).contains("\"version\":1");
	}

	@Test
	void shouldShareTheChangeTopicsBetweenInvalidatorInstances() throws Exception {
		try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
				SharedServers.get().kafka().bootstrapServers()))) {
			await().untilAsserted(() -> {
				ConsumerGroupDescription group = admin.describeConsumerGroups(List.of(this.stack.invalidatorGroup()))
					.all()
					.get()
					.get(this.stack.invalidatorGroup());
				assertThat(group.members()).hasSize(2)
					.allSatisfy((member) -> assertThat(member.assignment().topicPartitions()).isNotEmpty());
			});
		}
	}

	@Test
	void shouldEvictBothHospitalsWhenAFormularyItemMoves() throws Exception {
		String hospital1 = this.stack.keys().formulary(1);
		String hospital2 = this.stack.keys().formulary(2);
		Http.get(this.stack.apiUrl(1) + "/hospitals/1/formulary");
		this.stack.sql("INSERT INTO formulary_item (hospital_id, drug_code, drug_name, strength, form, status) "
				+ "VALUES (1, 'MOVE-ME', 'Travelling drug', '5 mg', 'tablet', 'ACTIVE')");
		// the insert's own invalidation must be behind us before the lists are warmed
		await().untilAsserted(() -> assertThat(this.stack.redis().exists(hospital1)).isZero());
		assertThat(Http.get(this.stack.apiUrl(1) + "/hospitals/1/formulary").body()).contains("MOVE-ME");
		assertThat(Http.get(this.stack.apiUrl(1) + "/hospitals/2/formulary").body()).doesNotContain("MOVE-ME");
		assertThat(this.stack.redis().exists(hospital1, hospital2)).isEqualTo(2);

		this.stack.sql("UPDATE formulary_item SET hospital_id = 2 WHERE drug_code = 'MOVE-ME'");

		await().untilAsserted(() -> assertThat(this.stack.redis().exists(hospital1, hospital2)).isZero());
		assertThat(Http.get(this.stack.apiUrl(2) + "/hospitals/1/formulary").body()).doesNotContain("MOVE-ME");
		assertThat(Http.get(this.stack.apiUrl(2) + "/hospitals/2/formulary").body()).contains("MOVE-ME");
	}

	@Test
	void shouldEvictPatientKeyWhenRowIsDeleted() throws Exception {
		String key = this.stack.keys().patient(7);
		assertThat(Http.get(this.stack.apiUrl(2) + "/patients/7").statusCode()).isEqualTo(200);
		assertThat(this.stack.redis().exists(key)).isEqualTo(1);

		this.stack.sql("DELETE FROM patient WHERE id = 7");

		await().untilAsserted(() -> assertThat(this.stack.redis().exists(key)).isZero());
		assertThat(Http.get(this.stack.apiUrl(1) + "/patients/7").statusCode()).isEqualTo(404);
	}

	@Test
	void shouldKeepPatientDataOutOfTheChangeTopics() throws Exception {
		this.stack.sql("UPDATE patient SET ward = 'ward-z' WHERE id = 99");
		String event = ChangeTopicReader.awaitRecord(this.stack.topics().changes("patient"),
				(value) -> value.contains("\"ward\":\"ward-z\""));

		assertThat(event).contains("\"id\":99").doesNotContain("Patient 99").doesNotContain("MRN-").doesNotContain("date_of_birth");
	}

	@Test
	void shouldBumpVersionOnEveryWriteEvenFromRawSql() throws Exception {
		this.stack.sql("UPDATE patient SET ward = 'ward-b' WHERE id = 100");
		this.stack.sql("UPDATE patient SET ward = 'ward-c' WHERE id = 100");
		try (var connection = this.stack.connect();
				PreparedStatement query = connection.prepareStatement("SELECT version FROM patient WHERE id = 100");
				ResultSet row = query.executeQuery()) {
			assertThat(row.next()).isTrue();
			assertThat(row.getLong(1)).isEqualTo(3);
		}
	}
}
