package dev.freshline.bench;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class DocFiguresTests {

	/** The repository root: the tests run in bench/. */
	private static final Path HOME = Path.of("..").toAbsolutePath().normalize();

	private static final String RUN = """
			{"finished": "2026-11-29T19:07:17Z", "command": "scripts/bench --quick",
			 "machine": {"cores": 2, "memoryGiB": 23.5, "jdk": "OpenJDK 17", "os": "Linux amd64", "loadAverage": "1.0 1.0 1.0"},
			 "versions": {"freshline": "0.1.0-SNAPSHOT (abc1234)"},
			 "headline": {"lag100_p50_ms": 17.85, "stock_kept_up": "100+1000", "hit_vs_noop": 0.5612, "replay_events_per_s": "NaN"},
			 "goals": [{"figure": "hit_vs_noop", "goal": ">= 0.6", "measured": "0.56", "met": "**no**"}],
			 "limits": ["freshline-100: slowest hop at p99 is debezium_to_kafka"],
			 "failures": ["replay: the replay benchmark could not run"]}
			""";

	@Test
	void shouldQuoteExactlyWhatTheCommittedResultsContain() throws Exception {
		DocFigures figures = DocFigures.of(HOME);
		for (String document : DocFigures.DOCUMENTS) {
			String text = Files.readString(HOME.resolve(document));

			assertThat(text).as(document + " has a bench block").contains("<!-- bench:begin ");
			assertThat(text).as(document + " differs from what " + DocFigures.RESULTS
					+ " gives: run scripts/bench-docs, or git checkout " + DocFigures.RESULTS + " to drop a run not worth quoting")
				.isEqualTo(figures.rewrite(text));
		}
	}

	@Test
	void shouldReplaceAFigureTheResultsDoNotContain() {
		String readme = """
				## Benchmarks

				<!-- bench:begin goals -->
				| figure | goal | measured | met |
				| --- | --- | --- | --- |
				| hit_vs_noop | >= 0.6 | 0.64 | yes |
				<!-- bench:end -->

				after
				""";

		String rewritten = new DocFigures(RUN).rewrite(readme);

		assertThat(rewritten).isNotEqualTo(readme)
			.contains("| hit_vs_noop | >= 0.6 | 0.56 | **no** |")
			.doesNotContain("0.64")
			.startsWith("## Benchmarks\n\n<!-- bench:begin goals -->\n`scripts/bench --quick` (a quick run")
			.endsWith("<!-- bench:end -->\n\nafter\n");
		assertThat(new DocFigures(RUN).rewrite(rewritten)).isEqualTo(rewritten);
	}

	@Test
	void shouldGiveTheRunItsResultLineWhereTheTimeWentAndWhatWasNotMeasured() {
		String block = new DocFigures(RUN).block("run");

		assertThat(block).contains("RESULT lag100_p50_ms=17.9 stock_kept_up=100+1000 hit_vs_noop=0.56 replay_events_per_s=NaN",
				"- freshline-100: slowest hop at p99 is debezium_to_kafka", "- replay: the replay benchmark could not run");
	}

	@Test
	void shouldRefuseAnUnclosedOrUnknownBlock() {
		assertThatIllegalArgumentException().isThrownBy(() -> new DocFigures(RUN).rewrite("<!-- bench:begin goals -->\n"));
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new DocFigures(RUN).rewrite("<!-- bench:begin figures -->\n<!-- bench:end -->"));
	}
}
