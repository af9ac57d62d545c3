package dev.freshline.bench;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the freshness fence costs a cache hit: the hit scenario of {@link ApiReads} (wrk, ids
 * 1-1000 cached) on two {@link ServiceCopy copies} of api-1 started together, one with the fence on
 * and one off, in alternating windows (on-off, then off-on, ...), so that drift in the machine's
 * load falls on both sides alike. The fence is read once at start-up, so comparing it on and off
 * takes two processes, and both are copies started together so that both JVMs share the same stack
 * and machine load (api-1 against one fresh copy measured mostly the younger JVM).
 *
 * <p>Before the first window both copies serve the same number of reads, in alternating slices. A
 * JVM's speed depends on how much it has served (C2 compiles the hot path after thousands of
 * calls), and a warm-up of equal <em>time</em> gives the faster copy more reads, which makes it
 * faster still: when only the fence-on copy filled the ids and both then warmed up for the same
 * time, the fence-on copy served up to three times the hits of the other, every round, a "cost"
 * of -190 % that no fence can explain. The figure is {@code 1 - on/off} over the summed
 * throughputs; each round's own ratio is kept to show the noise, which can make it negative. Each
 * copy's own {@code freshline.cache.requests} counters say how the windows' reads were served, so a
 * fence that bypassed (and measured Postgres instead of the cache) shows.
 */
final class FenceCost {

	static final String FENCE_ON = "api-fence-on";

	static final String FENCE_OFF = "api-fence-off";

	/** The ids the hit windows cycle through, cached before the first window. */
	private static final int IDS = 1000;

	/** Warm-up slices per copy, alternating: both copies age together. */
	private static final int SLICES = 4;

	private static final List<String> OUTCOMES = List.of("hit", "miss", "bypass");

	record Window(int round, String fence, double readsPerS, Percentiles latencyMs, long errors) {
	}

	record Figures(int rounds, long warmUpReads, List<Window> windows, double onReadsPerS, double offReadsPerS, double cost,
			double lowestRoundCost, double highestRoundCost, Map<String, Long> onOutcomes, Map<String, Long> offOutcomes) {
	}

	private final BenchHttp http;

	private final Wrk wrk;

	private final BenchOptions options;

	FenceCost(BenchHttp http, Wrk wrk, BenchOptions options) {
		this.http = http;
		this.wrk = wrk;
		this.options = options;
	}

	Figures run(ServiceCopy on, ServiceCopy off, BenchProgress progress) throws Exception {
		this.wrk.require();
		for (long id = 1; id <= IDS; id++) {
			this.http.get(on.baseUrl() + "/patients/" + id);
		}
		long slice = Math.max(IDS, this.options.fenceWarmUpReads() / SLICES);
		long failed = 0;
		for (int s = 0; s < SLICES; s++) {
			failed += warmUp(on.baseUrl(), slice) + warmUp(off.baseUrl(), slice);
		}
		progress.line("fence: both copies served %d reads each before the first window (%d failed)", slice * SLICES, failed);
		Map<String, Double> onBefore = outcomes(on);
		Map<String, Double> offBefore = outcomes(off);
		List<Window> windows = new ArrayList<>();
		double onSum = 0;
		double offSum = 0;
		double lowest = Double.POSITIVE_INFINITY;
		double highest = Double.NEGATIVE_INFINITY;
		int rounds = this.options.fenceRounds();
		for (int round = 1; round <= rounds; round++) {
			boolean onFirst = round % 2 == 1;
			ReadResult first = onFirst ? hits("on", on) : hits("off", off);
			ReadResult second = onFirst ? hits("off", off) : hits("on", on);
			ReadResult withFence = onFirst ? first : second;
			ReadResult withoutFence = onFirst ? second : first;
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
		return new Figures(rounds, slice * SLICES, windows, onSum / rounds, offSum / rounds, cost, lowest, highest,
				since(onBefore, outcomes(on)), since(offBefore, outcomes(off)));
	}

	private ReadResult hits(String fence, ServiceCopy copy) throws IOException, InterruptedException {
		return this.wrk.run(copy.baseUrl(), Wrk.Target.cycling("/patients/", 1, IDS), this.options.fenceWindow())
			.result("hit, fence " + fence, copy.name(), this.wrk.connections());
	}

	/**
	 * {@code reads} hits on {@code api} from as many clients as the windows have, each sending its
	 * next read once the last one answered; how many failed. A count, not a time: see the class.
	 */
	private long warmUp(String api, long reads) throws InterruptedException {
		AtomicLong next = new AtomicLong();
		LongAdder failed = new LongAdder();
		List<Thread> clients = new ArrayList<>();
		for (int c = 0; c < this.wrk.connections(); c++) {
			Thread client = new Thread(() -> {
				long i;
				while ((i = next.getAndIncrement()) < reads) {
					try {
						if (this.http.get(api + "/patients/" + (1 + i % IDS)).statusCode() != 200) {
							failed.increment();
						}
					}
					catch (IOException ex) {
						failed.increment();
					}
					catch (InterruptedException ex) {
						Thread.currentThread().interrupt();
						return;
					}
				}
			}, "bench-fence-warm-up-" + c);
			clients.add(client);
			client.start();
		}
		for (Thread client : clients) {
			client.join();
		}
		return failed.sum();
	}

	/** The copy's own count of patient reads by how they were served. */
	private Map<String, Double> outcomes(ServiceCopy copy) {
		Map<String, Double> counts = new TreeMap<>();
		for (String outcome : OUTCOMES) {
			counts.put(outcome, this.http.counter(copy.managementUrl(),
					"freshline.cache.requests?tag=namespace:patient&tag=result:" + outcome));
		}
		return counts;
	}

	private static Map<String, Long> since(Map<String, Double> before, Map<String, Double> after) {
		Map<String, Long> counts = new TreeMap<>();
		after.forEach((outcome, count) -> counts.put(outcome, Math.round(count - before.get(outcome))));
		return counts;
	}
}
