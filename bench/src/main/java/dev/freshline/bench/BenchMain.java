package dev.freshline.bench;

import java.util.Arrays;

/**
 * The bench jar's entry point. The three measurements share the stack helpers and the machine
 * and CPU probes of this package, so they ship as one jar: {@code scripts/bench} runs
 * {@link Bench}, {@code scripts/measure-lag} runs {@code measure} ({@link LagProbe}) and
 * {@code scripts/bench-replay} runs {@code replay} ({@link ReplayBenchmark}); {@code scripts/bench-docs}
 * runs {@code docs} ({@link DocFigures}), which copies the figures of the last run into the docs;
 * {@code scripts/chaos} runs {@code chaos} ({@link dev.freshline.bench.chaos.Chaos}).
 */
public final class BenchMain {

	private BenchMain() {
	}

	public static void main(String[] args) throws Exception {
		String command = (args.length > 0) ? args[0] : "";
		// measurements print their own figures: libraries speak only when something is wrong
		System.setProperty("logback.configurationFile", switch (command) {
			case "replay" -> "freshline-replay-logback.xml";
			case "chaos" -> "freshline-chaos-logback.xml";
			default -> "freshline-measure-logback.xml";
		});
		String[] rest = (args.length > 0) ? Arrays.copyOfRange(args, 1, args.length) : args;
		switch (command) {
			case "measure" -> LagProbe.main(rest);
			case "replay" -> ReplayBenchmark.main(rest);
			case "docs" -> DocFigures.main(rest);
			case "chaos" -> dev.freshline.bench.chaos.Chaos.main(rest);
			default -> Bench.main(args);
		}
	}
}
