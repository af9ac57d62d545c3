package dev.freshline.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Hot key: 200 clients (half on each instance) read one patient in a loop; one SQL update
 * invalidates it. The Postgres reads that invalidation costs are the rise of
 * {@code freshline.cache.loads} over both APIs (counted at each Postgres read of the read path,
 * whether a miss, a lease wait that timed out or Redis failing open caused it) from just before
 * the commit until every client has seen the new version, less the rise over an equal quiet
 * window before it. Redis errors over the same window are reported beside it: reads that failed
 * open are Postgres reads the cache did not save.
 */
final class HotKey {

	record Figures(int clients, long reads, long failedReads, double baselineLoads, double dbReads, double redisErrors,
			double allSawItMs) {
	}

	private static final long PATIENT = 2999;

	private final StackProcess stack;

	private final BenchHttp http;

	HotKey(StackProcess stack, BenchHttp http) {
		this.stack = stack;
		this.http = http;
	}

	Figures run(int clients, Duration settle) throws Exception {
		AtomicLong reads = new AtomicLong();
		AtomicLong errors = new AtomicLong();
		AtomicInteger sawNew = new AtomicInteger();
		AtomicLong target = new AtomicLong(Long.MAX_VALUE);
		List<Thread> threads = new ArrayList<>();
		java.util.concurrent.atomic.AtomicBoolean running = new java.util.concurrent.atomic.AtomicBoolean(true);
		this.http.get(this.stack.api(0) + "/patients/" + PATIENT);
		for (int c = 0; c < clients; c++) {
			String url = this.stack.api(c % 2) + "/patients/" + PATIENT;
			Thread thread = new Thread(() -> {
				boolean counted = false;
				while (running.get()) {
					try {
						var response = this.http.get(url);
						if (response.statusCode() != 200) {
							// a failed read is not a read the cache served
							errors.incrementAndGet();
							LockSupport.parkNanos(Duration.ofMillis(10).toNanos());
							continue;
						}
						long version = BenchHttp.version(response.body());
						reads.incrementAndGet();
						if (!counted && version >= target.get()) {
							counted = true;
							sawNew.incrementAndGet();
						}
					}
					catch (Exception ex) {
						errors.incrementAndGet();
						LockSupport.parkNanos(Duration.ofMillis(10).toNanos());
					}
				}
			}, "bench-hot-" + c);
			threads.add(thread);
			thread.start();
		}
		try {
			LockSupport.parkNanos(settle.toNanos());
			double quietFrom = loads();
			LockSupport.parkNanos(settle.toNanos());
			double before = loads();
			double errorsBefore = redisErrors();
			long committed;
			try (Connection sql = DriverManager.getConnection(this.stack.jdbcUrl(), this.stack.databaseUser(),
					this.stack.databasePassword());
					PreparedStatement update = sql
						.prepareStatement("UPDATE patient SET ward = ward WHERE id = ? RETURNING version")) {
				update.setLong(1, PATIENT);
				try (ResultSet row = update.executeQuery()) {
					row.next();
					target.set(row.getLong(1));
				}
				committed = System.nanoTime();
			}
			long deadline = committed + Duration.ofSeconds(15).toNanos();
			while (sawNew.get() < clients && System.nanoTime() < deadline) {
				LockSupport.parkNanos(Duration.ofMillis(1).toNanos());
			}
			double allSaw = (sawNew.get() < clients) ? Double.NaN : (System.nanoTime() - committed) / 1e6;
			// fills that lost a race are retried after the lease wait: give them time to show up
			LockSupport.parkNanos(settle.toNanos());
			double after = loads();
			double quiet = before - quietFrom;
			return new Figures(clients, reads.get(), errors.get(), quiet, (after - before) - quiet,
					redisErrors() - errorsBefore, allSaw);
		}
		finally {
			running.set(false);
			for (Thread thread : threads) {
				thread.join();
			}
		}
	}

	private double loads() {
		return counter("freshline.cache.loads");
	}

	private double redisErrors() {
		return counter("freshline.cache.redis.errors");
	}

	/** Summed over both instances; NaN if either does not have it. */
	private double counter(String name) {
		return this.http.counter(this.stack.api(0), name) + this.http.counter(this.stack.api(1), name);
	}
}
