package dev.freshline.bench.chaos;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * Which scenarios one run takes and how long each may last. {@code --quick} runs the kills, a
 * Redis restart, a broker restart and the poison records with a shorter load before the fault;
 * {@code --scenario NAME} runs one scenario of the full matrix.
 */
record ChaosOptions(boolean quick, @Nullable String scenario, Path out, Duration before, Duration after,
		Duration recoveryLimit, Duration quiescenceLimit) {

	static final String USAGE = "usage: scripts/chaos [--quick] [--scenario NAME] [--out <directory>]";

	static ChaosOptions parse(List<String> args, Path home) {
		boolean quick = false;
		@Nullable String scenario = null;
		@Nullable Path out = null;
		for (int i = 0; i < args.size(); i++) {
			switch (args.get(i)) {
				case "--quick" -> quick = true;
				case "--scenario" -> scenario = value(args, ++i, "--scenario needs a scenario name");
				case "--out" -> out = Path.of(value(args, ++i, "--out needs a directory")).toAbsolutePath();
				case "--help", "-h" -> throw new IllegalArgumentException("");
				default -> throw new IllegalArgumentException("unknown argument '" + args.get(i) + "'");
			}
		}
		if (out == null) {
			// like the bench: a quick or single-scenario run never replaces the full run's table the docs quote
			out = home.resolve((quick || scenario != null) ? "bench/results/quick" : "bench/results");
		}
		// the invalidator's SIGKILL waits out Kafka's 45 s session timeout: 120 s leaves it room twice
		return new ChaosOptions(quick, scenario, out, Duration.ofSeconds(quick ? 5 : 10), Duration.ofSeconds(3),
				Duration.ofSeconds(120), Duration.ofSeconds(60));
	}

	private static String value(List<String> args, int i, String missing) {
		if (i >= args.size() || args.get(i).startsWith("--")) {
			throw new IllegalArgumentException(missing);
		}
		return args.get(i);
	}
}
