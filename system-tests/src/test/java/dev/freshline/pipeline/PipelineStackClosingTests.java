package dev.freshline.pipeline;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * A stack's teardown attempts every step whatever failed before it (a context that fails to
 * close must not leave the replication slot pinning WAL), and reports the first failure with
 * the later ones suppressed in it.
 */
class PipelineStackClosingTests {

	@Test
	void shouldAttemptEveryStepAndThrowTheFirstFailureWithTheOthersSuppressed() {
		List<String> ran = new ArrayList<>();
		PipelineStack.Closing closing = new PipelineStack.Closing();
		IllegalStateException contextFailed = new IllegalStateException("a context failed to close");
		IllegalStateException databaseFailed = new IllegalStateException("the database could not be dropped");

		closing.attempt(() -> {
			throw contextFailed;
		});
		closing.attempt(() -> ran.add("slot dropped"));
		closing.attempt(() -> {
			throw databaseFailed;
		});
		closing.attempt(() -> ran.add("offsets deleted"));

		assertThatExceptionOfType(IllegalStateException.class).isThrownBy(closing::rethrow)
			.isSameAs(contextFailed)
			.satisfies((thrown) -> assertThat(thrown.getSuppressed()).containsExactly(databaseFailed));
		assertThat(ran).containsExactly("slot dropped", "offsets deleted");
	}

	@Test
	void shouldThrowNothingWhenEveryStepSucceeded() throws Exception {
		PipelineStack.Closing closing = new PipelineStack.Closing();
		closing.attempt(() -> {
		});

		closing.rethrow();
	}
}
