package dev.freshline.bench.chaos;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.freshline.bench.Machine;

import static org.assertj.core.api.Assertions.assertThat;

class ChaosReportTests {

	@Test
	void shouldSumTheScenariosThatRanIntoTheResultLine() {
		ChaosReport report = report(ran("kill-invalidator", ScenarioResult.Status.PASSED, 0, 0, 1995.04, 0, 47.26),
				ran("restart-redis", ScenarioResult.Status.FAILED, 2, 1, 12.0, 3, 2.5));

		assertThat(report.resultLine()).isEqualTo("RESULT scenarios=2 passed=1 lost_invalidations=2 "
				+ "stale_after_quiescence=1 staleness_max_ms=1995.0 api_5xx=3 max_recovery_s=47.3 inspector_checked=1000 "
				+ "inspector_inconsistent=2");
		assertThat(report.failed()).isTrue();
	}

	@Test
	void shouldSayNaNForARecoveryThatNeverHappened() {
		ChaosReport report = report(ran("kill-kafka", ScenarioResult.Status.FAILED, 0, 0, 10, 0, Double.NaN),
				ran("kill-api-1", ScenarioResult.Status.PASSED, 0, 0, 10, 0, 20));

		assertThat(report.resultLine()).contains(" max_recovery_s=NaN ");
	}

	@Test
	void shouldListEveryScenarioWithItsFiguresAndTheFailuresOfOneThatFailed() {
		ChaosReport report = report(ran("kill-api-1", ScenarioResult.Status.PASSED, 0, 0, 10, 0, 20),
				ran("slot-dropped", ScenarioResult.Status.FAILED, 0, 0, 10, 0, Double.NaN));

		assertThat(report.markdown()).contains("| kill-api-1 | fault | 0 of 40 | 0 | 8.0 / 10.0 | 0 | 20.0 | pass |")
			.contains("| slot-dropped | fault | 0 of 40 | 0 | 8.0 / 10.0 | 0 | not recovered | **FAIL**: boom |");
		assertThat(report.failed()).isTrue();
	}

	private static ChaosReport report(ScenarioResult... results) {
		return new ChaosReport(List.of(results), Machine.current(), "scripts/chaos", "2026-11-30T02:00:00Z");
	}

	private static ScenarioResult ran(String name, ScenarioResult.Status status, int lost, int staleAfter,
			double stalenessMax, long errors, double recovery) {
		return new ScenarioResult(name, "fault", status, (status == ScenarioResult.Status.PASSED) ? List.of() : List.of("boom"),
				lost, 40, staleAfter, 8.0, stalenessMax, 1000, Map.of("hit", 900L), errors, 0, recovery, 100, 0, List.of(), 500,
				lost);
	}
}
