package dev.freshline.bench;

import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

import org.jspecify.annotations.Nullable;

/**
 * Read-your-writes under load: while {@link LagStep}'s open-loop writer updates patients at 1,000/s,
 * a few samplers each cache a patient through api-1, update it with SQL, read
 * {@code pg_current_wal_insert_lsn()} after the commit, and read the patient on api-2 with
 * {@code Freshline-After} set to it; right after, a plain read of another patient on api-2 is
 * timed in the same way, so both latencies come from the same moments. A read-after that returned
 * an older version than the sampler wrote is counted: it would break the header's promise.
 */
final class AfterReads {

	private static final int SAMPLERS = 2;

	private static final Duration SAMPLE_EVERY = Duration.ofMillis(20);

	/** Samples start once the writer runs at its rate, and end before it stops. */
	private static final Duration SETTLE = Duration.ofMillis(500);

	record Figures(int rate, int samples, Percentiles afterMs, Percentiles plainMs, Map<String, Long> afterOutcomes,
			Map<String, Long> plainOutcomes, long olderThanWritten, long failedReads, @Nullable LagResult lag) {
	}

	private final StackProcess stack;

	private final BenchHttp http;

	AfterReads(StackProcess stack, BenchHttp http) {
		this.stack = stack;
		this.http = http;
	}

	Figures run(LagStep step, int rate, Duration duration) throws Exception {
		long from = System.nanoTime() + SETTLE.toNanos();
		long to = System.nanoTime() + duration.toNanos();
		Map<String, LongAdder> afterOutcomes = new ConcurrentHashMap<>();
		Map<String, LongAdder> plainOutcomes = new ConcurrentHashMap<>();
		AtomicLong older = new AtomicLong();
		AtomicLong failed = new AtomicLong();
		List<double[]> after = new ArrayList<>();
		List<double[]> plain = new ArrayList<>();
		int[] counts = new int[SAMPLERS];
		List<Thread> samplers = new ArrayList<>();
		List<Throwable> errors = new java.util.concurrent.CopyOnWriteArrayList<>();
		for (int s = 0; s < SAMPLERS; s++) {
			int sampler = s;
			double[] ownAfter = new double[(int) (duration.toMillis() / SAMPLE_EVERY.toMillis()) + 1];
			double[] ownPlain = new double[ownAfter.length];
			after.add(ownAfter);
			plain.add(ownPlain);
			Thread thread = new Thread(() -> {
				try (Connection sql = DriverManager.getConnection(this.stack.jdbcUrl(), this.stack.databaseUser(),
						this.stack.databasePassword());
						PatientTouch update = new PatientTouch(sql);
						PreparedStatement position = sql.prepareStatement("SELECT pg_current_wal_insert_lsn()::text")) {
					LockSupport.parkNanos(from - System.nanoTime());
					int n = 0;
					for (long next = from; next < to && n < ownAfter.length; next += SAMPLE_EVERY.toNanos()) {
						LockSupport.parkNanos(next - System.nanoTime());
						long written = 1 + ((n * 7919L + sampler * 1499L) % LagStep.PATIENTS);
						long other = 1 + ((written + 1500) % LagStep.PATIENTS);
						// the old version in the cache, so that only the fence stands between the read and it
						try {
							this.http.get(this.stack.api(0) + "/patients/" + written);
						}
						catch (java.io.IOException ex) {
							// only a warm-up of the entry: the sample still measures the read after the write
						}
						long version = update.touch(written);
						String lsn;
						try (ResultSet row = position.executeQuery()) {
							row.next();
							lsn = row.getString(1);
						}
						long sent = System.nanoTime();
						HttpResponse<String> read;
						long answered;
						HttpResponse<String> plainRead;
						long plainAnswered;
						try {
							read = this.http.get(this.stack.api(1) + "/patients/" + written, "Freshline-After", lsn);
							answered = System.nanoTime();
							plainRead = this.http.get(this.stack.api(1) + "/patients/" + other);
							plainAnswered = System.nanoTime();
						}
						catch (java.io.IOException ex) {
							// no answer is a failed read, counted apart, never a latency
							failed.incrementAndGet();
							continue;
						}
						if (read.statusCode() != 200 || plainRead.statusCode() != 200) {
							failed.incrementAndGet();
							continue;
						}
						if (BenchHttp.version(read.body()) < version) {
							older.incrementAndGet();
						}
						count(afterOutcomes, read);
						count(plainOutcomes, plainRead);
						ownAfter[n] = (answered - sent) / 1e6;
						ownPlain[n] = (plainAnswered - answered) / 1e6;
						n++;
					}
					counts[sampler] = n;
				}
				catch (Throwable ex) {
					errors.add(ex);
				}
			}, "bench-after-" + s);
			samplers.add(thread);
			thread.start();
		}
		LagResult lag = null;
		try {
			lag = step.run("after-reads-" + rate, rate, duration);
		}
		finally {
			for (Thread sampler : samplers) {
				sampler.join();
			}
		}
		if (!errors.isEmpty()) {
			throw new IllegalStateException("a Freshline-After sampler failed: " + errors.get(0), errors.get(0));
		}
		return new Figures(rate, Arrays.stream(counts).sum(), Percentiles.of(joined(after, counts)),
				Percentiles.of(joined(plain, counts)), snapshot(afterOutcomes), snapshot(plainOutcomes),
				older.get(), failed.get(), lag);
	}

	private static void count(Map<String, LongAdder> outcomes, HttpResponse<?> response) {
		outcomes.computeIfAbsent(BenchHttp.cacheOutcome(response), (any) -> new LongAdder()).increment();
	}

	private static double[] joined(List<double[]> samples, int[] counts) {
		double[] all = new double[Arrays.stream(counts).sum()];
		int at = 0;
		for (int s = 0; s < samples.size(); s++) {
			System.arraycopy(samples.get(s), 0, all, at, counts[s]);
			at += counts[s];
		}
		return all;
	}

	private static Map<String, Long> snapshot(Map<String, LongAdder> counts) {
		Map<String, Long> sorted = new TreeMap<>();
		counts.forEach((outcome, count) -> sorted.put(outcome, count.sum()));
		return sorted;
	}
}
