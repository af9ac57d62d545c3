package dev.freshline.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Staleness as the API serves it while a server of the stack fails: patients cached on both API
 * instances are updated with SQL at an even pace over a window, a {@link Fault} is injected a
 * little after the window opens, and each update's staleness is commit -> the moment both api-1
 * and api-2 have served the new version. Updates that the fault delays are bounded by the fence
 * (max-staleness, then it bypasses) or by the failover, whichever comes first; the others are the
 * control. Reads that did not answer 200 are counted: the API is meant to fail open to Postgres,
 * never to fail the client.
 */
final class FailoverStaleness {

	private static final Duration POLL_PAUSE = Duration.ofMillis(20);

	/** How long a poller waits for an update before it counts it as never seen. */
	private static final Duration GIVE_UP_AFTER = Duration.ofSeconds(30);

	/** How long the fault's own recovery may take before the scenario fails. */
	private static final Duration RECOVERY_TIMEOUT = Duration.ofSeconds(60);

	/** A server failure the stack must ride out. */
	interface Fault {

		/** Injects the fault, now; returns what it did, for the report. */
		String inject() throws Exception;

		/** Returns once the stack has recovered from it, as this fault defines recovery. */
		void awaitRecovered(Duration timeout) throws Exception;
	}

	/**
	 * {@code recoveredS}: from the injection to the fault's own recovery (a replica promoted, a
	 * partition's leadership moved). {@code apiErrors}: reads that answered neither 200 nor at all.
	 */
	record Figures(String fault, String injected, int updates, Percentiles stalenessMs, int notVisible, int apiErrors,
			double recoveredS) {
	}

	private final StackProcess stack;

	private final BenchHttp http;

	FailoverStaleness(StackProcess stack, BenchHttp http) {
		this.stack = stack;
		this.http = http;
	}

	/**
	 * {@code updates} of the patients from {@code firstId} on, spread over {@code window}; the
	 * fault is injected {@code faultAfter} into it.
	 */
	Figures run(String name, Fault fault, long firstId, int updates, Duration window, Duration faultAfter)
			throws Exception {
		List<String> instances = List.of(this.stack.api(0), this.stack.api(1));
		ServedEverywhere served = new ServedEverywhere(this.http, instances, POLL_PAUSE);
		for (int i = 0; i < updates; i++) {
			for (String api : instances) {
				this.http.get(api + "/patients/" + (firstId + i));
			}
		}
		long spacing = window.toNanos() / updates;
		double[] staleness = new double[updates];
		Arrays.fill(staleness, Double.NaN);
		AtomicInteger errors = new AtomicInteger();
		List<Thread> pollers = new ArrayList<>();
		long opened = System.nanoTime();
		long faultAt = opened + faultAfter.toNanos();
		CompletableFuture<Injected> injected = null;
		try (Connection sql = DriverManager.getConnection(this.stack.jdbcUrl(), this.stack.databaseUser(),
				this.stack.databasePassword());
				PatientTouch update = new PatientTouch(sql)) {
			for (int i = 0; i < updates; i++) {
				long due = opened + i * spacing;
				if (injected == null && due >= faultAt) {
					// on a thread of its own: the writer keeps its pace through the fault and the recovery
					injected = CompletableFuture.supplyAsync(() -> inject(name, fault));
				}
				LockSupport.parkNanos(due - System.nanoTime());
				long id = firstId + i;
				long version = update.touch(id);
				long committed = System.nanoTime();
				int index = i;
				Thread poller = new Thread(() -> staleness[index] = served.after(id, version, committed,
						committed + GIVE_UP_AFTER.toNanos(), (read) -> {
							if (read == null || read.statusCode() != 200) {
								errors.incrementAndGet();
							}
						}), "bench-failover-" + i);
				pollers.add(poller);
				poller.start();
			}
		}
		if (injected == null) {
			throw new IllegalStateException(name + ": the window ended before the fault was due");
		}
		Injected what = injected.join();
		for (Thread poller : pollers) {
			poller.join();
		}
		// one never seen counts with the whole wait, a lower bound, rather than being left out
		int notVisible = (int) Arrays.stream(staleness).filter((ms) -> !Double.isFinite(ms)).count();
		double[] counted = Arrays.stream(staleness)
			.map((ms) -> Double.isFinite(ms) ? ms : GIVE_UP_AFTER.toMillis())
			.toArray();
		return new Figures(name, what.what(), updates, Percentiles.of(counted), notVisible, errors.get(), what.recoveredS());
	}

	/** What the fault did, and how long from its injection until the stack recovered from it. */
	private record Injected(String what, double recoveredS) {
	}

	private static Injected inject(String name, Fault fault) {
		try {
			long injected = System.nanoTime();
			String what = fault.inject();
			fault.awaitRecovered(RECOVERY_TIMEOUT);
			return new Injected(what, (System.nanoTime() - injected) / 1e9);
		}
		catch (Exception ex) {
			throw new IllegalStateException(name + ": " + ex.getMessage(), ex);
		}
	}
}
