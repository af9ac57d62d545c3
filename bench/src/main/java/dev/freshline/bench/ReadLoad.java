package dev.freshline.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;
import java.util.function.LongFunction;

/**
 * Closed-loop read load on JDK HttpClient threads: a fixed number of clients, each sending its next
 * GET as soon as the last one answered, over a warm-up and then a measured window. It costs about
 * as much CPU as the API it loads, so it serves only scenarios that compare two windows of the same
 * load ({@link FenceCost}); the figures that compare endpoints use {@link Wrk}. {@link Result} is
 * what both report per run.
 */
final class ReadLoad {

	record Result(String scenario, String instance, int concurrency, double readsPerS, Percentiles latencyMs, long errors) {
	}

	/** One GET: the HTTP status it answered with. */
	@FunctionalInterface
	interface Reader {

		int status(String url) throws Exception;

	}

	private final Reader reader;

	private final int concurrency;

	private final Duration warmUp;

	private final Duration window;

	ReadLoad(Reader reader, int concurrency, Duration warmUp, Duration window) {
		this.reader = reader;
		this.concurrency = concurrency;
		this.warmUp = warmUp;
		this.window = window;
	}

	/**
	 * @param url the URL of the n-th read of the run
	 * @param before what a client does before its read:
	 * the client's clock stops meanwhile, so it counts neither in a read's latency nor in the
	 * window its reads per second are taken over
	 */
	Result run(String scenario, String instance, LongFunction<String> url, LongConsumer before) throws InterruptedException {
		AtomicLong sequence = new AtomicLong();
		AtomicLong errors = new AtomicLong();
		long measureFrom = System.nanoTime() + this.warmUp.toNanos();
		long measureTo = measureFrom + this.window.toNanos();
		List<Thread> clients = new ArrayList<>();
		List<long[]> latencies = new ArrayList<>();
		int[] counts = new int[this.concurrency];
		long[] aside = new long[this.concurrency];
		for (int c = 0; c < this.concurrency; c++) {
			int client = c;
			long[] mine = new long[1 << 16];
			latencies.add(mine);
			Thread thread = new Thread(() -> {
				long[] own = mine;
				int n = 0;
				while (true) {
					long i = sequence.getAndIncrement();
					long preparing = System.nanoTime();
					before.accept(i);
					long sent = System.nanoTime();
					aside[client] += Math.max(0, Math.min(sent, measureTo) - Math.max(preparing, measureFrom));
					if (sent >= measureTo) {
						break;
					}
					boolean ok;
					try {
						ok = this.reader.status(url.apply(i)) == 200;
					}
					catch (Exception ex) {
						ok = false;
					}
					long answered = System.nanoTime();
					if (!ok) {
						// a failed read is not a read: counted apart, never in the throughput or the latencies
						errors.incrementAndGet();
						continue;
					}
					if (sent >= measureFrom && answered <= measureTo) {
						if (n == own.length) {
							own = Arrays.copyOf(own, n * 2);
							latencies.set(client, own);
						}
						own[n++] = answered - sent;
					}
				}
				counts[client] = n;
			}, "bench-read-" + c);
			clients.add(thread);
			thread.start();
		}
		for (Thread client : clients) {
			client.join();
		}
		int total = Arrays.stream(counts).sum();
		double[] all = new double[total];
		int at = 0;
		for (int c = 0; c < this.concurrency; c++) {
			long[] own = latencies.get(c);
			for (int n = 0; n < counts[c]; n++) {
				all[at++] = own[n] / 1e6;
			}
		}
		double readsPerS = 0;
		for (int c = 0; c < this.concurrency; c++) {
			long ownWindow = this.window.toNanos() - aside[c];
			readsPerS += (ownWindow > 0) ? counts[c] / (ownWindow / 1e9) : 0;
		}
		return new Result(scenario, instance, this.concurrency, readsPerS, Percentiles.of(all), errors.get());
	}
}
