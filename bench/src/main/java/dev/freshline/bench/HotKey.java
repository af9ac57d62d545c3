package dev.freshline.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Hot key: 200 clients (half on each instance) read one patient in a loop; one SQL update
 * invalidates it. The Postgres reads that invalidation costs are the rise of
 * {@code freshline.cache.loads} with cause {@code miss} or {@code lease-timeout} over both APIs,
 * from just before the commit until a settle time after every client has seen the new version:
 * what the lease is there to hold to one. Reads that failed open (Redis failed or missed the
 * read budget) are counted apart with the Redis errors of the same window: Postgres reads the
 * cache did not save, but not ones the invalidation caused. (Subtracting a quiet window's loads
 * instead made the figure negative whenever Redis was slower in the quiet window.)
 */
final class HotKey {

	record Figures(int clients, long reads, long failedReads, double dbReads, double failOpenReads, double redisErrors,
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
			double before = invalidationLoads();
			double failOpenBefore = loads("fail-open");
			double errorsBefore = redisErrors();
			long committed;
			try (Connection sql = DriverManager.getConnection(this.stack.jdbcUrl(), this.stack.databaseUser(),
					this.stack.databasePassword());
					PatientTouch update = new PatientTouch(sql)) {
				target.set(update.touch(PATIENT));
				committed = System.nanoTime();
			}
			long deadline = committed + Duration.ofSeconds(15).toNanos();
			while (sawNew.get() < clients && System.nanoTime() < deadline) {
				LockSupport.parkNanos(Duration.ofMillis(1).toNanos());
			}
			double allSaw = (sawNew.get() < clients) ? Double.NaN : (System.nanoTime() - committed) / 1e6;
			// fills that lost a race are retried after the lease wait: give them time to show up
			LockSupport.parkNanos(settle.toNanos());
			return new Figures(clients, reads.get(), errors.get(), invalidationLoads() - before,
					loads("fail-open") - failOpenBefore, redisErrors() - errorsBefore, allSaw);
		}
		finally {
			running.set(false);
			for (Thread thread : threads) {
				thread.join();
			}
		}
	}

	/** Postgres reads of a miss or of a lease wait that timed out: the ones an invalidation causes. */
	private double invalidationLoads() {
		return loads("miss") + loads("lease-timeout");
	}

	private double loads(String cause) {
		return counter("freshline.cache.loads?tag=cause:" + cause);
	}

	private double redisErrors() {
		return counter("freshline.cache.redis.errors");
	}

	/** Summed over both instances; NaN if either does not have it. */
	private double counter(String metric) {
		return this.http.counter(this.stack.apiManagement(0), metric)
				+ this.http.counter(this.stack.apiManagement(1), metric);
	}
}
