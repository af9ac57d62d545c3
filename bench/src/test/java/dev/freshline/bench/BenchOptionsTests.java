package dev.freshline.bench;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class BenchOptionsTests {

	private final Path home = Path.of("/work/freshline");

	@Test
	void shouldRunEveryScenarioByDefault() {
		BenchOptions options = BenchOptions.parse(List.of(), this.home);

		assertThat(options.quick()).isFalse();
		assertThat(options.replay()).isTrue();
		assertThat(options.rates()).containsExactly(100, 1000, 3000);
		assertThat(options.out()).isEqualTo(this.home.resolve("bench/results"));
		assertThat(options.replayEvents()).isEqualTo(1_000_000);
	}

	@Test
	void shouldShortenEveryStepWhenQuick() {
		BenchOptions quick = BenchOptions.parse(List.of("--quick", "--no-replay", "--out", "/tmp/b"), this.home);
		BenchOptions full = BenchOptions.parse(List.of(), this.home);

		assertThat(quick.step()).isLessThan(full.step());
		assertThat(quick.replay()).isFalse();
		assertThat(quick.out()).isEqualTo(Path.of("/tmp/b"));
	}

	@Test
	void shouldKeepAQuickRunsFiguresAwayFromTheCommittedOnes() {
		assertThat(BenchOptions.parse(List.of("--quick"), this.home).out())
			.isEqualTo(this.home.resolve("bench/results/quick"));
	}

	@Test
	void shouldRefuseUnknownArgumentsAndAMissingDirectory() {
		assertThatIllegalArgumentException().isThrownBy(() -> BenchOptions.parse(List.of("--fast"), this.home))
			.withMessage("unknown argument '--fast'");
		assertThatIllegalArgumentException().isThrownBy(() -> BenchOptions.parse(List.of("--out"), this.home))
			.withMessage("--out needs a directory");
	}
}
