package dev.freshline.pipeline;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.assertj.core.api.Assertions.assertThat;
import static dev.freshline.pipeline.Waits.await;

/**
 * After a stop that was not clean (no marker next to the offsets) the connector has every
 * captured table's namespaces flushed before it streams again, because Debezium 3.6.1 may have
 * skipped events on that restart; after a clean stop it does not. A start without offsets flushes
 * too: it streams only what is committed from then on.
 */
@ExtendWith(PipelineStackExtension.class)
class UncleanStopIntegrationTests {

	private static final String UNCLEAN_RESTARTS = "freshline.cdc.unclean.restarts";

	@Test
	void shouldFlushTheCapturedNamespacesAfterAnUncleanStopOnly(PipelineStack stack) throws Exception {
		String patient = stack.keys().patient(2500);
		String formulary = stack.keys().formulary(5);
		Path marker = stack.offsetFile().resolveSibling(stack.offsetFile().getFileName() + ".clean-stop");

		// negative control: a clean stop and start leaves cached entries alone
		stack.stopConnector();
		assertThat(marker).exists();
		stack.redis().mset(java.util.Map.of(patient, "cached", formulary, "cached"));
		stack.startConnector();
		assertThat(marker).doesNotExist();
		assertThat(stack.connectorCounter(UNCLEAN_RESTARTS)).as("no flush owed after a clean stop").isZero();
		awaitPipelineApplied(stack, 2501);
		assertThat(stack.redis().exists(patient, formulary)).isEqualTo(2);

		// what a SIGKILL leaves behind: offsets, but no marker
		stack.stopConnector();
		// (a stop right after a change may have written none: its last event was inside a transaction)
		Files.deleteIfExists(marker);
		stack.startConnector();

		assertThat(stack.connectorCounter(UNCLEAN_RESTARTS)).isEqualTo(1);
		await().untilAsserted(() -> assertThat(stack.redis().exists(patient, formulary)).isZero());
	}

	@Test
	void shouldFlushTheCapturedNamespacesWhenStartingWithoutOffsets(PipelineStack stack) throws Exception {
		String patient = stack.keys().patient(2500);
		String formulary = stack.keys().formulary(5);
		stack.stopConnector();
		// a lost volume, or offsets deleted to recover from a lost slot: the clean-stop marker is
		// still there, and with snapshot.mode=no_data the new start skips what it never read
		Files.delete(stack.offsetFile());
		stack.redis().mset(java.util.Map.of(patient, "cached", formulary, "cached"));

		stack.startConnector();

		await().untilAsserted(() -> assertThat(stack.redis().exists(patient, formulary)).isZero());
	}

	/** A change made now has gone through the whole pipeline once its key is deleted. */
	private void awaitPipelineApplied(PipelineStack stack, long patientId) throws Exception {
		String key = stack.keys().patient(patientId);
		stack.redis().set(key, "cached");
		stack.sql("UPDATE patient SET ward = ward WHERE id = " + patientId);
		await().untilAsserted(() -> assertThat(stack.redis().exists(key)).isZero());
	}
}
