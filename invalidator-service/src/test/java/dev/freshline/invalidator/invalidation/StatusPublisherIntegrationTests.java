package dev.freshline.invalidator.invalidation;

import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.freshline.embedded.SharedServers;
import dev.freshline.model.InvalidatorStatus;

import static org.assertj.core.api.Assertions.assertThat;
import static dev.freshline.invalidator.invalidation.Waits.await;

/**
 * The invalidator publishes its figures for the API's status page to Redis every second: once
 * it applied a change, its field holds the change's commit-to-delete percentiles and the
 * inspector's checks of its keys, with a TTL so the hash goes when no invalidator runs.
 */
class StatusPublisherIntegrationTests {

	private InvalidatorStack stack;

	@AfterEach
	void stop() {
		if (this.stack != null) {
			this.stack.close();
		}
	}

	@Test
	void shouldPublishItsLagAndInspectorFigures() throws Exception {
		this.stack = new InvalidatorStack(SharedServers.get().redis(),
				Map.of("INVALIDATOR_INSPECTOR_GRACE", "0s"));

		this.stack.send(this.stack.topics.changes("patient"), "{\"id\":1}", InvalidatorStack.patientChange("u", 1L, 1L));

		await("published after the change was inspected").until(() -> published().filter((status) -> status.checked() >= 2)
			.isPresent());
		InvalidatorStatus status = published().orElseThrow();
		assertThat(status.lagP99Seconds()).as("the change's commit to delete").isNotNaN().isPositive();
		assertThat(status.inconsistent()).isZero();
		assertThat(status.graceMillis()).isZero();
		assertThat(this.stack.redis().pttl(this.stack.keys.status())).as("expires unless published again").isPositive();
	}

	/** The one field: this JVM's (no instance id is set), under its pid@host. */
	private Optional<InvalidatorStatus> published() {
		Map<String, String> fields = this.stack.redis().hgetall(this.stack.keys.status());
		assertThat(fields.size()).as("one invalidator publishing").isLessThanOrEqualTo(1);
		return fields.values().stream().findFirst().flatMap(InvalidatorStatus::parse);
	}
}
