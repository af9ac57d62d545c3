package dev.freshline.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongFunction;

import dev.freshline.model.CacheKeys;

/**
 * One open-loop step of raw SQL single-row updates at a fixed rate: update i is due at
 * {@code start + i / rate} whatever happened to the ones before it, spread over several JDBC
 * connections so that one slow commit does not hold the schedule back. The lag is measured from
 * the commit returning to the invalidator's script deleting the patient's key (see
 * {@link InvalidationWatch}).
 */
final class LagStep {

	static final int PATIENTS = 3000;

	/** Enough for 3,000 commits/s even when each takes a few milliseconds on a busy machine. */
	private static final int CONNECTIONS = 16;

	private static final Duration DRAIN_QUIET = Duration.ofSeconds(3);

	private static final Duration DRAIN_MAX = Duration.ofSeconds(60);

	/** {@link #deletedAt} of an update whose delete was not seen before the bench stopped waiting. */
	static final long UNOBSERVED = Long.MIN_VALUE;

	private final StackProcess stack;

	private final InvalidationWatch deletes;

	private final HopTracker hops;

	private final Backlog backlog;

	private final CacheKeys keys;

	private final long epochOffsetNanos;

	LagStep(StackProcess stack, InvalidationWatch deletes, HopTracker hops, Backlog backlog,
			CacheKeys keys, long epochOffsetNanos) {
		this.stack = stack;
		this.deletes = deletes;
		this.hops = hops;
		this.backlog = backlog;
		this.keys = keys;
		this.epochOffsetNanos = epochOffsetNanos;
	}

	LagResult run(String name, int rate, Duration duration) throws Exception {
		int total = (int) (rate * duration.toMillis() / 1000);
		long[] ids = new long[total];
		long[] versions = new long[total];
		long[] sent = new long[total];
		long[] committed = new long[total];
		long interval = 1_000_000_000L / rate;
		this.deletes.reset();
		AtomicInteger next = new AtomicInteger();
		AtomicLong commits = new AtomicLong();
		long start = System.nanoTime() + Duration.ofMillis(100).toNanos();
		ExecutorService writers = Executors.newFixedThreadPool(CONNECTIONS);
		List<Future<?>> running = new ArrayList<>();
		for (int c = 0; c < CONNECTIONS; c++) {
			running.add(writers.submit(() -> {
				try (Connection sql = DriverManager.getConnection(this.stack.jdbcUrl(), this.stack.databaseUser(),
						this.stack.databasePassword());
						PatientTouch update = new PatientTouch(sql)) {
					int i;
					while ((i = next.getAndIncrement()) < total) {
						long id = 1 + (i % PATIENTS);
						ids[i] = id;
						long due = start + i * interval;
						LockSupport.parkNanos(due - System.nanoTime());
						sent[i] = System.nanoTime();
						versions[i] = update.touch(id);
						committed[i] = System.nanoTime();
						commits.incrementAndGet();
					}
				}
				return null;
			}));
		}
		List<Long> inFlight = new ArrayList<>();
		List<Long> kafkaLag = new ArrayList<>();
		long nextSample = start + 1_000_000_000L;
		while (!running.stream().allMatch(Future::isDone)) {
			LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
			if (System.nanoTime() >= nextSample) {
				inFlight.add(commits.get() - this.deletes.count());
				kafkaLag.add(this.backlog.invalidatorLag());
				nextSample += 1_000_000_000L;
			}
		}
		long loadEnd = System.nanoTime();
		for (Future<?> writer : running) {
			writer.get();
		}
		writers.shutdown();
		long inFlightAtEnd = total - this.deletes.count();
		long kafkaLagAtEnd = this.backlog.invalidatorLag();
		long gaveUp = awaitDrain(total);
		return match(name, rate, total, ids, versions, sent, committed, start, loadEnd, inFlight, kafkaLag, inFlightAtEnd,
				kafkaLagAtEnd, gaveUp);
	}

	/**
	 * Until every update's delete arrived, or none arrived for a while (a missed one never will).
	 *
	 * @return when the wait ended: the lag an unobserved update is counted with runs to here
	 */
	private long awaitDrain(int total) {
		long deadline = System.nanoTime() + DRAIN_MAX.toNanos();
		long seen = -1;
		long quietSince = System.nanoTime();
		while (this.deletes.count() < total && System.nanoTime() < deadline) {
			long now = this.deletes.count();
			if (now != seen) {
				seen = now;
				quietSince = System.nanoTime();
			}
			else if (System.nanoTime() - quietSince > DRAIN_QUIET.toNanos()) {
				break;
			}
			LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
		}
		return System.nanoTime();
	}

	private LagResult match(String name, int rate, int total, long[] ids, long[] versions, long[] sent, long[] committed,
			long start, long loadEnd, List<Long> inFlight, List<Long> kafkaLag, long inFlightAtEnd, long kafkaLagAtEnd,
			long gaveUp) {
		long[] deleted = deletedAt(ids, sent, this.deletes.drain(), this.keys::patient);
		double[] sendDelays = new double[total];
		List<double[]> hopRows = new ArrayList<>();
		int observed = 0;
		long lastDelete = loadEnd;
		for (int i = 0; i < total; i++) {
			sendDelays[i] = (sent[i] - (start + i * (1_000_000_000L / rate))) / 1e6;
			if (deleted[i] == UNOBSERVED) {
				continue;
			}
			observed++;
			lastDelete = Math.max(lastDelete, deleted[i]);
			HopTracker.Stamps stamps = this.hops.get(ids[i], versions[i]);
			if (stamps != null) {
				double deletedEpochMs = (deleted[i] + this.epochOffsetNanos) / 1e6;
				hopRows.add(new double[] { stamps.debezium() - stamps.committed(), stamps.produced() - stamps.debezium(),
						stamps.received() - stamps.produced(), deletedEpochMs - stamps.produced() });
			}
		}
		if (observed < total) {
			// a missed delete is the worst lag of all, not a sample to leave out: it counts as the
			// time the bench stopped waiting, a lower bound, and the drain time becomes that too
			lastDelete = gaveUp;
		}
		double[] lags = lagsMs(committed, deleted, gaveUp);
		Map<String, Percentiles> hopPercentiles = new java.util.LinkedHashMap<>();
		String[] hopNames = { "commit_to_debezium", "debezium_to_kafka", "kafka_to_consumer", "kafka_to_redis_delete" };
		for (int h = 0; h < hopNames.length; h++) {
			int column = h;
			hopPercentiles.put(hopNames[h], Percentiles.of(hopRows.stream().mapToDouble((row) -> row[column]).toArray()));
		}
		double seconds = (loadEnd - start) / 1e9;
		return new LagResult(name, rate, total, total / seconds, observed, total - observed, Percentiles.of(lags),
				Percentiles.of(sendDelays), hopPercentiles,
				new LagResult.BacklogFigures(inFlight, slope(inFlight), inFlightAtEnd, kafkaLag, kafkaLagAtEnd,
						(lastDelete - loadEnd) / 1e6, lagTrend(committed, lags)));
	}

	/**
	 * The time each update's delete was seen, or {@link #UNOBSERVED}. The first invalidation of a key
	 * after its update was sent is that update's: each change of a key raises its floor once, in
	 * commit order.
	 */
	static long[] deletedAt(long[] ids, long[] sent, Map<String, List<Long>> deletesByKey, LongFunction<String> key) {
		long[] deleted = new long[ids.length];
		Map<String, Integer> cursor = new HashMap<>();
		for (int i = 0; i < ids.length; i++) {
			String name = key.apply(ids[i]);
			List<Long> times = deletesByKey.getOrDefault(name, List.of());
			int at = cursor.getOrDefault(name, 0);
			while (at < times.size() && times.get(at) < sent[i]) {
				at++;
			}
			if (at == times.size()) {
				cursor.put(name, at);
				deleted[i] = UNOBSERVED;
				continue;
			}
			deleted[i] = times.get(at);
			cursor.put(name, at + 1);
		}
		return deleted;
	}

	/**
	 * Commit -> delete of every update in milliseconds; an update whose delete was never seen counts
	 * until {@code gaveUp}, when the bench stopped waiting for it, so that losing deletes can only
	 * make the percentiles worse.
	 */
	static double[] lagsMs(long[] committed, long[] deleted, long gaveUp) {
		double[] lags = new double[committed.length];
		for (int i = 0; i < committed.length; i++) {
			long end = (deleted[i] == UNOBSERVED) ? gaveUp : deleted[i];
			lags[i] = Math.max(0, end - committed[i]) / 1e6;
		}
		return lags;
	}

	/**
	 * Least-squares growth of the updates' lag (ms) over their commit times, in ms per second. Every
	 * update is a point, so a 500 ms poll's swing averages out over a step's hundreds of updates,
	 * where a few one-second samples of the in-flight count catch it at random phases.
	 */
	static double lagTrend(long[] committed, double[] lagsMs) {
		int n = committed.length;
		if (n < 2) {
			return Double.NaN;
		}
		double meanX = 0;
		double meanY = 0;
		for (int i = 0; i < n; i++) {
			meanX += (committed[i] - committed[0]) / 1e9 / n;
			meanY += lagsMs[i] / n;
		}
		double numerator = 0;
		double denominator = 0;
		for (int i = 0; i < n; i++) {
			double x = (committed[i] - committed[0]) / 1e9 - meanX;
			numerator += x * (lagsMs[i] - meanY);
			denominator += x * x;
		}
		return (denominator > 0) ? numerator / denominator : Double.NaN;
	}

	/** Least-squares growth of the samples per second (they are one second apart). */
	private static double slope(List<Long> samples) {
		int n = samples.size();
		if (n < 2) {
			return Double.NaN;
		}
		double meanX = (n - 1) / 2.0;
		double meanY = samples.stream().mapToLong(Long::longValue).average().orElse(0);
		double numerator = 0;
		double denominator = 0;
		for (int x = 0; x < n; x++) {
			numerator += (x - meanX) * (samples.get(x) - meanY);
			denominator += (x - meanX) * (x - meanX);
		}
		return numerator / denominator;
	}
}
