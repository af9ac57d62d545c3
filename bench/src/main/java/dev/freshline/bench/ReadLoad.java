package dev.freshline.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;
import java.util.function.LongFunction;

/**
 * Closed-loop read load: a fixed number of clients, each sending its next GET as soon as the last
 * one answered, over a warm-up and then a measured window. Every read scenario runs through here
 * with the same concurrency, so the ratios between them compare the endpoints, not the generators.
 */
final class ReadLoad {

	record Result(String scenario, String instance, int concurrency, double readsPerS, Percentiles latencyMs, long errors) {
	}

	private final BenchHttp http;

	private final int concurrency;

	private final Duration warmUp;

	private final Duration window;

	ReadLoad(BenchHttp http, int concurrency, Duration warmUp, Duration window) {
		this.http = http;
		this.concurrency = concurrency;
		this.warmUp = warmUp;
		this.window = window;
	}

	/**
	 * @param url the URL of the n-th read of the run
	 * @param before what a client does before its read, outside the timed request (evicting the key
	 * for the miss scenario)
	 */
	Result run(String scenario, String instance, LongFunction<String> url, LongConsumer before) throws InterruptedException {
		AtomicLong sequence = new AtomicLong();
		AtomicLong errors = new AtomicLong();
		long measureFrom = System.nanoTime() + this.warmUp.toNanos();
		long measureTo = measureFrom + this.window.toNanos();
		List<Thread> clients = new ArrayList<>();
		List<long[]> latencies = new ArrayList<>();
		int[] counts = new int[this.concurrency];
		for (int c = 0; c < this.concurrency; c++) {
			int client = c;
			long[] mine = new long[1 << 16];
			latencies.add(mine);
			Thread thread = new Thread(() -> {
				long[] own = mine;
				int n = 0;
				while (true) {
					long i = sequence.getAndIncrement();
					before.accept(i);
					long sent = System.nanoTime();
					if (sent >= measureTo) {
						break;
					}
					try {
						if (this.http.get(url.apply(i)).statusCode() != 200) {
							errors.incrementAndGet();
						}
					}
					catch (Exception ex) {
						errors.incrementAndGet();
					}
					long answered = System.nanoTime();
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
		return new Result(scenario, instance, this.concurrency, total / (this.window.toNanos() / 1e9), Percentiles.of(all),
				errors.get());
	}
}
