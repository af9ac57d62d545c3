package dev.freshline.pipeline;

import java.time.Duration;

import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;

/**
 * The system tests' waits: the first event after a context starts can take a few seconds on a
 * loaded two-core machine. A factory per call instead of Awaitility's global defaults, so no
 * fixture changes how another class's tests wait.
 */
public final class Waits {

	private static final Duration TIMEOUT = Duration.ofSeconds(60);

	private static final Duration POLL_INTERVAL = Duration.ofMillis(20);

	private Waits() {
	}

	public static ConditionFactory await() {
		return Awaitility.await().atMost(TIMEOUT).pollInterval(POLL_INTERVAL);
	}

	public static ConditionFactory await(String alias) {
		return Awaitility.await(alias).atMost(TIMEOUT).pollInterval(POLL_INTERVAL);
	}
}
