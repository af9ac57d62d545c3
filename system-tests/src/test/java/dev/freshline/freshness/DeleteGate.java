package dev.freshline.freshness;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.jspecify.annotations.Nullable;

import dev.freshline.invalidator.invalidation.InvalidationHooks;

/**
 * Stops the invalidator at its named point {@code beforeDelete} for one key: the consumer thread
 * that reaches it holds its partition's record there, unapplied and uncommitted, until the test
 * opens the gate. Every other key, and the same key once the gate was passed, goes through.
 */
final class DeleteGate implements InvalidationHooks {

	private final AtomicReference<@Nullable Armed> armed = new AtomicReference<>();

	/** Arms the gate for the next delete of {@code key}. */
	Armed arm(String key) {
		Armed gate = new Armed(key);
		if (!this.armed.compareAndSet(null, gate)) {
			throw new IllegalStateException("the gate is armed already");
		}
		return gate;
	}

	@Override
	public void beforeDelete(String key) {
		Armed gate = this.armed.get();
		if (gate != null && gate.key.equals(key) && this.armed.compareAndSet(gate, null)) {
			gate.hold();
		}
	}

	/** One armed stop: {@link #awaitArrival()}, then {@link #open()} (in a finally: a held consumer blocks the stack's close). */
	static final class Armed implements AutoCloseable {

		private final String key;

		private final CountDownLatch arrived = new CountDownLatch(1);

		private final CountDownLatch opened = new CountDownLatch(1);

		private Armed(String key) {
			this.key = key;
		}

		private void hold() {
			this.arrived.countDown();
			try {
				if (!this.opened.await(2, TimeUnit.MINUTES)) {
					throw new IllegalStateException("the delete gate of " + this.key + " was never opened");
				}
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}

		void awaitArrival() throws InterruptedException {
			if (!this.arrived.await(60, TimeUnit.SECONDS)) {
				throw new IllegalStateException("no invalidator reached the delete of " + this.key);
			}
		}

		void open() {
			this.opened.countDown();
		}

		@Override
		public void close() {
			open();
		}
	}
}
