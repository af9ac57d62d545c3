package dev.freshline.races;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import org.jspecify.annotations.Nullable;

import dev.freshline.api.cache.FillHooks;
import dev.freshline.invalidator.invalidation.InvalidationHooks;

import static dev.freshline.pipeline.Waits.await;

/**
 * Named points of the fill protocol and the invalidator, shared by every service of a test
 * stack. A test arms a {@link Gate} at a point for one key: the first reader to reach it stops
 * there until the test opens it; everyone else passes (or, with {@link #holdEveryoneUntil},
 * every caller waits for a condition). Counters record how often each point
 * was passed per key (every Postgres load passes afterDatabaseRead).
 */
final class RaceHooks implements FillHooks, InvalidationHooks {

	enum Point {
		AFTER_LEASE, AFTER_DATABASE_READ, BEFORE_FILL, BEFORE_LEASE_WAIT, AFTER_DELETE
	}

	private final Map<String, Gate> gates = new ConcurrentHashMap<>();

	private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();

	Gate arm(Point point, String key) {
		Gate gate = new Gate();
		this.gates.put(point + " " + key, gate);
		return gate;
	}

	/** Stops every caller at the point, not just the first, until {@code condition} holds. */
	Gate holdEveryoneUntil(Point point, String key, BooleanSupplier condition) {
		Gate gate = new Gate(condition);
		this.gates.put(point + " " + key, gate);
		return gate;
	}

	void disarm(Point point, String key) {
		this.gates.remove(point + " " + key);
	}

	int count(Point point, String key) {
		AtomicInteger count = this.counts.get(point + " " + key);
		return (count == null) ? 0 : count.get();
	}

	@Override
	public void afterLease(String key) {
		pass(Point.AFTER_LEASE, key);
	}

	@Override
	public void afterDatabaseRead(String key) {
		pass(Point.AFTER_DATABASE_READ, key);
	}

	@Override
	public void beforeFill(String key) {
		pass(Point.BEFORE_FILL, key);
	}

	@Override
	public void beforeLeaseWait(String key) {
		pass(Point.BEFORE_LEASE_WAIT, key);
	}

	@Override
	public void afterDelete(String key) {
		pass(Point.AFTER_DELETE, key);
	}

	private void pass(Point point, String key) {
		String name = point + " " + key;
		this.counts.computeIfAbsent(name, (ignored) -> new AtomicInteger()).incrementAndGet();
		Gate gate = this.gates.get(name);
		if (gate != null && gate.claim()) {
			gate.holdCaller();
		}
	}

	/** One stop for the first caller to reach it. */
	static final class Gate {

		private final CountDownLatch arrived = new CountDownLatch(1);

		private final CountDownLatch opened = new CountDownLatch(1);

		private final AtomicInteger claims = new AtomicInteger();

		private final @Nullable BooleanSupplier openWhen;

		private Gate() {
			this(null);
		}

		private Gate(@Nullable BooleanSupplier openWhen) {
			this.openWhen = openWhen;
		}

		/** A plain gate stops its first caller only; a conditional one stops everyone until it holds. */
		private boolean claim() {
			return this.openWhen != null || this.claims.getAndIncrement() == 0;
		}

		private void holdCaller() {
			this.arrived.countDown();
			try {
				if (this.openWhen != null) {
					await().atMost(java.time.Duration.ofSeconds(60)).until(this.openWhen::getAsBoolean);
				}
				else if (!this.opened.await(60, TimeUnit.SECONDS)) {
					throw new IllegalStateException("gate never opened");
				}
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}

		void awaitArrival() throws InterruptedException {
			if (!this.arrived.await(60, TimeUnit.SECONDS)) {
				throw new IllegalStateException("nobody reached the gate");
			}
		}

		void open() {
			this.opened.countDown();
		}
	}
}
