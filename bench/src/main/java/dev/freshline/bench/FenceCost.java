package dev.freshline.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the freshness fence costs a cache hit: the hit scenario of {@link ApiReads} on two
 * {@link ServiceCopy copies} of api-1 started together, one with the fence on and one off, in alternating windows
 * (on-off, then off-on, ...), so that drift in the machine's load falls on both sides alike. The
 * fence is read once at start-up, so comparing it on and off takes two processes, and both are
 * copies started together so that both JVMs are equally old, equally warm and share the same stack
 * and machine load (api-1 against one fresh copy measured mostly the younger JVM: 13-16 % slower
 * after its warm-up). The
 * figure is {@code 1 - on/off} over the summed throughputs; each round's own ratio is kept to show
 * the noise, which can make the figure negative. Every response's {@code Freshline-Cache} answer is
 * counted, so a fence that bypassed (and measured Postgres instead of the cache) shows.
 */
final class FenceCost {

	static final String FENCE_ON = "api-fence-on";

	static final String FENCE_OFF = "api-fence-off";

	/** The ids the hit windows cycle through, cached before the first window. */
	private static final int IDS = 1000;

	record Window(int round, String fence, double readsPerS, Percentiles latencyMs, long errors) {
	}

	record Figures(int rounds, List<Window> windows, double onReadsPerS, double offReadsPerS, double cost,
			double lowestRoundCost, double highestRoundCost, Map<String, Long> onOutcomes, Map<String, Long> offOutcomes) {
	}

	private final BenchHttp http;

	private final BenchOptions options;

	FenceCost(BenchHttp http, BenchOptions options) {
		this.http = http;
		this.options = options;
	}

	Figures run(String fenceOn, String fenceOff, BenchProgress progress) throws Exception {
		Map<String, LongAdder> onOutcomes = new ConcurrentHashMap<>();
		Map<String, LongAdder> offOutcomes = new ConcurrentHashMap<>();
		ReadLoad on = load(onOutcomes);
		ReadLoad off = load(offOutcomes);
		for (long id = 1; id <= IDS; id++) {
			this.http.get(fenceOn + "/patients/" + id);
		}
		// one unrecorded window each: the fence-off instance has served nothing yet
		on.run("warm-up", "fence on", (i) -> fenceOn + "/patients/" + id(i), (i) -> {
		});
		off.run("warm-up", "fence off", (i) -> fenceOff + "/patients/" + id(i), (i) -> {
		});
		onOutcomes.clear();
		offOutcomes.clear();
		List<Window> windows = new ArrayList<>();
		double onSum = 0;
		double offSum = 0;
		double lowest = Double.POSITIVE_INFINITY;
		double highest = Double.NEGATIVE_INFINITY;
		int rounds = this.options.fenceRounds();
		for (int round = 1; round <= rounds; round++) {
			boolean onFirst = round % 2 == 1;
			ReadLoad.Result first = onFirst ? hits(on, "on", fenceOn) : hits(off, "off", fenceOff);
			ReadLoad.Result second = onFirst ? hits(off, "off", fenceOff) : hits(on, "on", fenceOn);
			ReadLoad.Result withFence = onFirst ? first : second;
			ReadLoad.Result withoutFence = onFirst ? second : first;
			windows.add(new Window(round, "on", withFence.readsPerS(), withFence.latencyMs(), withFence.errors()));
			windows.add(new Window(round, "off", withoutFence.readsPerS(), withoutFence.latencyMs(), withoutFence.errors()));
			onSum += withFence.readsPerS();
			offSum += withoutFence.readsPerS();
			double roundCost = 1 - withFence.readsPerS() / withoutFence.readsPerS();
			lowest = Math.min(lowest, roundCost);
			highest = Math.max(highest, roundCost);
			progress.line("fence round %d/%d: hits with the fence on %.0f/s, off %.0f/s (cost %+.1f %%)", round, rounds,
					withFence.readsPerS(), withoutFence.readsPerS(), roundCost * 100);
		}
		double cost = (offSum > 0) ? 1 - onSum / offSum : Double.NaN;
		return new Figures(rounds, windows, onSum / rounds, offSum / rounds, cost, lowest, highest, snapshot(onOutcomes),
				snapshot(offOutcomes));
	}

	private ReadLoad.Result hits(ReadLoad load, String fence, String api) throws InterruptedException {
		return load.run("hit, fence " + fence, api, (i) -> api + "/patients/" + id(i), (i) -> {
		});
	}

	private ReadLoad load(Map<String, LongAdder> outcomes) {
		return new ReadLoad((url) -> {
			var response = this.http.get(url);
			outcomes.computeIfAbsent(BenchHttp.cacheOutcome(response), (any) -> new LongAdder()).increment();
			return response.statusCode();
		}, this.options.readConcurrency(), this.options.fenceWarmUp(), this.options.fenceWindow());
	}

	static Map<String, Long> snapshot(Map<String, LongAdder> counts) {
		Map<String, Long> sorted = new TreeMap<>();
		counts.forEach((outcome, count) -> sorted.put(outcome, count.sum()));
		return sorted;
	}

	private static long id(long i) {
		return 1 + (i % IDS);
	}
}
