package dev.freshline.bench.chaos;

import java.util.List;
import java.util.Map;

/**
 * What one scenario found. {@code errors} are reads that got a 5xx, timed out, or found no
 * instance, apart from those that are the fault itself ({@code faultedUnanswered}: the unanswered reads
 * of the instance the fault took away, 5xx while Postgres restarts);
 * {@code recoverySeconds} is NaN when the stack did not recover within the scenario's limit;
 * {@code inspectorChecked} and {@code inspectorInconsistent} are what the stack's invalidator's
 * consistency inspector read back and found older than its change during the scenario.
 */
record ScenarioResult(String name, String fault, Status status, List<String> failures, int lost, int entriesChecked,
		int staleAfterQuiescence, double stalenessP99Ms, double stalenessMaxMs, long reads, Map<String, Long> outcomes,
		long errors, long faultedUnanswered, double recoverySeconds, long writes, long writeFailures, List<String> notes,
		long inspectorChecked, long inspectorInconsistent) {

	enum Status {

		PASSED("pass"), FAILED("FAIL");

		final String label;

		Status(String label) {
			this.label = label;
		}
	}

	/** A scenario that failed before anything was measured. */
	static ScenarioResult failed(String name, String fault, String reason) {
		return new ScenarioResult(name, fault, Status.FAILED, List.of(reason), 0, 0, 0, Double.NaN, Double.NaN, 0, Map.of(), 0,
				0, Double.NaN, 0, 0, List.of(), 0, 0);
	}
}
