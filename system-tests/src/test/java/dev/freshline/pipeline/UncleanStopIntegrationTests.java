package dev.freshline.pipeline;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * After a stop that was not clean (no marker next to the offsets) the connector has every
 * captured table's namespaces flushed before it streams again, because Debezium 3.6.1 may have
 * skipped events on that restart; after a clean stop it does not.
 */
class UncleanStopIntegrationTests {

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
	void shouldFlushTheCapturedNamespacesAfterAnUncleanStopOnly() throws Exception {
		String patient = this.stack.keys().patient(2500);
		String formulary = this.stack.keys().formulary(5);
		Path marker = this.stack.offsetFile().resolveSibling(this.stack.offsetFile().getFileName() + ".clean-stop");

		// negative control: a clean stop and start leaves cached entries alone
		this.stack.stopConnector();
		assertThat(marker).exists();
		this.stack.redis().mset(java.util.Map.of(patient, "cached", formulary, "cached"));
		this.stack.startConnector();
		assertThat(marker).doesNotExist();
		awaitPipelineApplied(2501);
		assertThat(this.stack.redis().exists(patient, formulary)).isEqualTo(2);

		// what a SIGKILL leaves behind: offsets, but no marker
		this.stack.stopConnector();
		Files.delete(marker);
		this.stack.startConnector();

		await().untilAsserted(() -> assertThat(this.stack.redis().exists(patient, formulary)).isZero());
	}

	/** A change made now has gone through the whole pipeline once its key is deleted. */
	private void awaitPipelineApplied(long patientId) throws Exception {
		String key = this.stack.keys().patient(patientId);
		this.stack.redis().set(key, "cached");
		this.stack.sql("UPDATE patient SET ward = ward WHERE id = " + patientId);
		await().untilAsserted(() -> assertThat(this.stack.redis().exists(key)).isZero());
	}
}
