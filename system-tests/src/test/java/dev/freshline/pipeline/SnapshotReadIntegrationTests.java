package dev.freshline.pipeline;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.freshline.model.Namespace;

import static org.assertj.core.api.Assertions.assertThat;
import static dev.freshline.pipeline.Waits.await;

/**
 * Snapshot reads ({@code op = r}) name rows exactly like inserts: a connector configured to
 * snapshot (here {@code snapshot.mode=always}, through the Debezium passthrough) evicts the keys
 * of every existing row, the way a re-snapshot repairs a cache.
 */
@ExtendWith(PipelineStackExtension.class)
@StackProperties("freshline.cdc.debezium[snapshot.mode]=always")
class SnapshotReadIntegrationTests {

	@Test
	void shouldEvictTheKeysOfEverySnapshottedRow(PipelineStack stack) throws Exception {
		stack.stopConnector();
		// the first snapshot's events must all be applied, or they could be what evicts the keys below
		stack.awaitInvalidatorsCaughtUp();
		List<String> keys = List.of(stack.keys().patient(17), stack.keys().patient(2999),
				stack.keys().key(Namespace.WARD, "ward-b"), stack.keys().formulary(3));
		keys.forEach((key) -> stack.redis().set(key, "cached before the snapshot"));

		stack.startConnector();

		await().untilAsserted(() -> assertThat(stack.redis().exists(keys.toArray(String[]::new))).isZero());
	}
}
