package dev.freshline.bench;

import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Staleness while invalidation has stopped: the invalidator is paused with SIGSTOP, patients cached
 * on both instances are updated with SQL at an even pace over {@code max-staleness} plus a second,
 * and each update's staleness is commit -> the moment both api-1 and api-2 have served the new
 * version (each instance read back to back, a few milliseconds apart). Nothing deletes the cached
 * values meanwhile: only the fence, bypassing once the applied watermark is older than
 * max-staleness, makes them visible, so the maximum is the bound (max-staleness plus one refresh)
 * and updates committed after the fence engaged are visible at once. The fence-off instance is
 * read last as the negative control: it should still serve every old version. SIGCONT follows in
 * every case.
 */
final class PausedStaleness {

	/** The patients updated while paused: cached first, and no other scenario writes them meanwhile. */
	private static final long FIRST_ID = 2001;

	private static final Duration POLL_PAUSE = Duration.ofMillis(5);

	/** How long after max-staleness a poller gives up on an update. */
	private static final Duration GIVE_UP_AFTER = Duration.ofSeconds(8);

	record Figures(Duration maxStaleness, int updates, Percentiles stalenessMs, int notVisible, double fenceEngagedMs,
			int fenceOffStillOld, double recoveredMs) {
	}

	private final StackProcess stack;

	private final BenchHttp http;

	PausedStaleness(StackProcess stack, BenchHttp http) {
		this.stack = stack;
		this.http = http;
	}

	Figures run(String fenceOff, Duration maxStaleness, int updates) throws Exception {
		List<String> instances = List.of(this.stack.api(0), this.stack.api(1));
		ServedEverywhere served = new ServedEverywhere(this.http, instances, POLL_PAUSE);
		awaitNoBypass(instances.get(0), Duration.ofSeconds(30));
		for (int i = 0; i < updates; i++) {
			for (String api : instances) {
				this.http.get(api + "/patients/" + (FIRST_ID + i));
			}
			this.http.get(fenceOff + "/patients/" + (FIRST_ID + i));
		}
		long spacing = maxStaleness.plusSeconds(1).toNanos() / updates;
		long invalidator = this.stack.pid("invalidator");
		double[] staleness = new double[updates];
		long[] versions = new long[updates];
		Arrays.fill(staleness, Double.NaN);
		AtomicLong firstBypass = new AtomicLong(Long.MAX_VALUE);
		List<Thread> pollers = new ArrayList<>();
		long paused;
		int stillOld = 0;
		Signals.send("STOP", invalidator);
		try {
			paused = System.nanoTime();
			try (Connection sql = DriverManager.getConnection(this.stack.jdbcUrl(), this.stack.databaseUser(),
					this.stack.databasePassword());
					PatientTouch update = new PatientTouch(sql)) {
				for (int i = 0; i < updates; i++) {
					LockSupport.parkNanos(paused + i * spacing - System.nanoTime());
					long id = FIRST_ID + i;
					versions[i] = update.touch(id);
					long committed = System.nanoTime();
					int index = i;
					Thread poller = new Thread(() -> staleness[index] = served.after(id, versions[index], committed,
							committed + maxStaleness.plus(GIVE_UP_AFTER).toNanos(), (read) -> {
								if (read != null && "bypass".equals(BenchHttp.cacheOutcome(read))) {
									firstBypass.accumulateAndGet(System.nanoTime(), Math::min);
								}
							}), "bench-paused-" + i);
					pollers.add(poller);
					poller.start();
				}
			}
			for (Thread poller : pollers) {
				poller.join();
			}
			// the negative control, while the invalidator is still stopped: after SIGCONT its
			// deletes would make the fence-off instance fresh too
			for (int i = 0; i < updates; i++) {
				if (BenchHttp.version(this.http.get(fenceOff + "/patients/" + (FIRST_ID + i)).body()) < versions[i]) {
					stillOld++;
				}
			}
		}
		finally {
			Signals.send("CONT", invalidator);
		}
		long resumed = System.nanoTime();
		awaitNoBypass(instances.get(0), Duration.ofSeconds(30));
		double recovered = (System.nanoTime() - resumed) / 1e6;
		// one never seen counts with the whole wait, a lower bound, rather than being left out
		int notVisible = (int) Arrays.stream(staleness).filter((ms) -> !Double.isFinite(ms)).count();
		double waited = maxStaleness.plus(GIVE_UP_AFTER).toMillis();
		double[] counted = Arrays.stream(staleness).map((ms) -> Double.isFinite(ms) ? ms : waited).toArray();
		double engaged = (firstBypass.get() == Long.MAX_VALUE) ? Double.NaN : (firstBypass.get() - paused) / 1e6;
		return new Figures(maxStaleness, updates, Percentiles.of(counted), notVisible, engaged, stillOld, recovered);
	}

	/** Until a read through {@code api} is served from the cache again (the pipeline caught up). */
	private void awaitNoBypass(String api, Duration timeout) throws Exception {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (System.nanoTime() < deadline) {
			HttpResponse<String> read = this.http.get(api + "/patients/" + FIRST_ID);
			if (read.statusCode() == 200 && !"bypass".equals(BenchHttp.cacheOutcome(read))) {
				return;
			}
			LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
		}
		throw new IllegalStateException(api + " still bypasses the cache after " + timeout.toSeconds()
				+ " s: the pipeline's watermarks are not advancing (are the connector's markers on?)");
	}
}
