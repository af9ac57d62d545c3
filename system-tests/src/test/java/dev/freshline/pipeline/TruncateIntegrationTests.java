package dev.freshline.pipeline;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * TRUNCATE names no rows, so no key can be derived from it: Debezium must not drop it (its
 * default skips truncates) and the invalidator must flush the table's whole namespace.
 */
class TruncateIntegrationTests {

	private PipelineStack stack;

	@BeforeEach
	void startStack() throws Exception {
		this.stack = PipelineStack.start();
	}

	@AfterEach
	void stopStack() throws Exception {
		this.stack.close();
	}

	@Test
	void shouldFlushTheTablesNamespaceWhenItIsTruncated() throws Exception {
		for (int id = 1; id <= 3; id++) {
			assertThat(Http.get(this.stack.apiUrl(1) + "/patients/" + id).statusCode()).isEqualTo(200);
		}
		assertThat(Http.get(this.stack.apiUrl(1) + "/hospitals/1/formulary").statusCode()).isEqualTo(200);
		String formulary = this.stack.keys().formulary(1);
		assertThat(this.stack.redis().exists(this.stack.keys().patient(1), this.stack.keys().patient(2),
				this.stack.keys().patient(3), formulary)).isEqualTo(4);

		this.stack.sql("TRUNCATE patient");

		await().untilAsserted(() -> assertThat(this.stack.redis().exists(this.stack.keys().patient(1),
				this.stack.keys().patient(2), this.stack.keys().patient(3))).isZero());
		assertThat(this.stack.redis().exists(formulary)).as("another table's namespace is untouched").isEqualTo(1);
		assertThat(Http.get(this.stack.apiUrl(2) + "/patients/1").statusCode()).isEqualTo(404);
	}
}
