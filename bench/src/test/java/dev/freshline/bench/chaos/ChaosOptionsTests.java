package dev.freshline.bench.chaos;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class ChaosOptionsTests {

	private static final Path HOME = Path.of("/freshline");

	@Test
	void shouldRunTheQuickSubsetIntoItsOwnDirectory() {
		ChaosOptions quick = ChaosOptions.parse(List.of("--quick"), HOME);

		assertThat(Chaos.select(quick)).extracting(Scenario::name)
			.containsExactly("kill-connector", "kill-invalidator", "kill-api-1", "restart-redis", "kill-kafka", "poison-records");
		assertThat(quick.out()).isEqualTo(HOME.resolve("bench/results/quick"));
	}

	@Test
	void shouldRunTheWholeMatrixInTheFullRun() {
		ChaosOptions full = ChaosOptions.parse(List.of(), HOME);

		assertThat(Chaos.select(full)).extracting(Scenario::name)
			.containsExactly("kill-connector", "kill-invalidator", "kill-api-1", "restart-redis", "kill-kafka",
					"poison-records", "pause-connector", "pause-invalidator", "pause-api-1", "two-invalidators-kill-one",
					"rebalance-storm", "redis-unreachable", "redis-latency", "redis-restart-from-rdb", "pause-kafka",
					"kafka-unreachable", "postgres-fast-restart", "postgres-crash-restart", "retention-deletes-unapplied",
					"slot-dropped");
		assertThat(Chaos.select(full)).filteredOn((scenario) -> scenario.proxied() != null)
			.extracting(Scenario::name)
			.containsExactly("redis-unreachable", "redis-latency", "kafka-unreachable");
		assertThat(full.out()).isEqualTo(HOME.resolve("bench/results"));
	}

	@Test
	void shouldRunOneNamedScenarioAndRefuseAnUnknownOne() {
		assertThat(Chaos.select(ChaosOptions.parse(List.of("--scenario", "pause-invalidator"), HOME)))
			.extracting(Scenario::name)
			.containsExactly("pause-invalidator");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> Chaos.select(ChaosOptions.parse(List.of("--scenario", "kill-everything"), HOME)))
			.withMessageContaining("unknown scenario 'kill-everything'");
		assertThatIllegalArgumentException().isThrownBy(() -> ChaosOptions.parse(List.of("--scenario"), HOME))
			.withMessage("--scenario needs a scenario name");
	}

	@Test
	void shouldNotCountTheFaultedInstanceUnansweredReadsAsErrorsButItsFiveHundreds() {
		ChaosLoad.Read refused = new ChaosLoad.Read(0, "patient", 1, ChaosLoad.UNREACHABLE, -1, 0, 1, "none");
		ChaosLoad.Read failed = new ChaosLoad.Read(0, "patient", 1, 503, -1, 0, 1, "none");

		assertThat(Chaos.isError(refused, 0)).isFalse();
		assertThat(Chaos.isError(refused, -1)).isTrue();
		assertThat(Chaos.isError(failed, 0)).isTrue();
	}
}
