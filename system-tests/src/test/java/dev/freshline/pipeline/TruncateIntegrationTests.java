package dev.freshline.pipeline;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.assertj.core.api.Assertions.assertThat;
import static dev.freshline.pipeline.Waits.await;

/**
 * TRUNCATE names no rows, so no key can be derived from it: Debezium must not drop it (its
 * default skips truncates) and the invalidator must flush the table's whole namespace.
 */
@ExtendWith(PipelineStackExtension.class)
class TruncateIntegrationTests {

	@Test
	void shouldFlushTheTablesNamespaceWhenItIsTruncated(PipelineStack stack) throws Exception {
		for (int id = 1; id <= 3; id++) {
			assertThat(Http.get(stack.apiUrl(1) + "/patients/" + id).statusCode()).isEqualTo(200);
		}
		assertThat(Http.get(stack.apiUrl(1) + "/hospitals/1/formulary").statusCode()).isEqualTo(200);
		String formulary = stack.keys().formulary(1);
		assertThat(stack.redis().exists(stack.keys().patient(1), stack.keys().patient(2),
				stack.keys().patient(3), formulary)).isEqualTo(4);

		stack.sql("TRUNCATE patient");

		await().untilAsserted(() -> assertThat(stack.redis().exists(stack.keys().patient(1),
				stack.keys().patient(2), stack.keys().patient(3))).isZero());
		assertThat(stack.redis().exists(formulary)).as("another table's namespace is untouched").isEqualTo(1);
		assertThat(Http.get(stack.apiUrl(2) + "/patients/1").statusCode()).isEqualTo(404);
	}
}
