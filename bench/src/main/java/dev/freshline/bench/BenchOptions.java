package dev.freshline.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * What one run measures and for how long. {@code --quick} proves the harness in a couple of
 * minutes (figures are then rough: few samples, short warm-up); the full run is what the README
 * quotes.
 */
record BenchOptions(boolean quick, boolean replay, Path out, Duration warmUp, Duration step, List<Integer> rates,
		List<Integer> stockRates, Duration idle, int visibleSamples, int readConcurrency, Duration readWarmUp,
		Duration readWindow, int hotKeyClients, Duration hotKeySettle, long replayEvents, int fenceRounds, long fenceWarmUpReads,
		Duration fenceWindow, int pausedUpdates, int bulkRows, Duration failoverWindow) {

	static final String USAGE = "usage: scripts/bench [--quick] [--no-replay] [--out <directory>]";

	static BenchOptions parse(List<String> args, Path home) {
		boolean quick = false;
		boolean replay = true;
		@Nullable Path out = null;
		for (int i = 0; i < args.size(); i++) {
			switch (args.get(i)) {
				case "--quick" -> quick = true;
				case "--no-replay" -> replay = false;
				case "--out" -> {
					if (i + 1 == args.size() || args.get(i + 1).startsWith("--")) {
						throw new IllegalArgumentException("--out needs a directory");
					}
					out = Path.of(args.get(++i)).toAbsolutePath();
				}
				case "--help", "-h" -> throw new IllegalArgumentException("");
				default -> throw new IllegalArgumentException("unknown argument '" + args.get(i) + "'");
			}
		}
		if (out == null) {
			// a quick run's rough figures never replace the committed latest.json the docs quote
			out = home.resolve(quick ? "bench/results/quick" : "bench/results");
		}
		List<Integer> rates = List.of(100, 1000, 3000);
		// stock Debezium at Freshline's two lower rates: a ratio of p50s means something only at a
		// rate both keep up with
		List<Integer> stockRates = List.of(100, 1000);
		if (quick) {
			return new BenchOptions(true, replay, out, Duration.ofSeconds(3), Duration.ofSeconds(5), rates, stockRates,
					Duration.ofSeconds(10), 20, 16, Duration.ofSeconds(1), Duration.ofSeconds(2), 200, Duration.ofSeconds(1),
					100_000, 3, 4_000, Duration.ofSeconds(1), 10, 20_000, Duration.ofSeconds(15));
		}
		return new BenchOptions(false, replay, out, Duration.ofSeconds(10), Duration.ofSeconds(20), rates, stockRates,
				Duration.ofSeconds(30), 100, 16, Duration.ofSeconds(2), Duration.ofSeconds(6), 200, Duration.ofSeconds(2),
				1_000_000, 5, 20_000, Duration.ofSeconds(3), 30, 100_000, Duration.ofSeconds(20));
	}
}
