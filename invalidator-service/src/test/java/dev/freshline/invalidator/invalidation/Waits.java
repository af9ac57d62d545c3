package dev.freshline.invalidator.invalidation;

import java.time.Duration;

import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;

/**
 * How the invalidator's tests wait: a factory per call instead of Awaitility's global defaults,
 * so no test class changes how another one waits.
 */
final class Waits {

	private static final Duration TIMEOUT = Duration.ofSeconds(30);

	private Waits() {
	}

	static ConditionFactory await() {
		return Awaitility.await().atMost(TIMEOUT);
	}

	static ConditionFactory await(String alias) {
		return Awaitility.await(alias).atMost(TIMEOUT);
	}
}
