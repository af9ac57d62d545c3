package dev.freshline.invalidator;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A task run on a daemon thread of its own, {@code every} apart, between {@link #start} and
 * {@link #stop}: what the invalidator's background checks share (the Redis restart guard, the
 * consistency inspector, the status publisher), each starting and stopping it from its own
 * lifecycle. A run that throws is logged and the next one runs as planned, where a
 * ScheduledExecutorService would silently never run the task again.
 */
public final class PeriodicTask {

	private static final Logger log = LoggerFactory.getLogger(PeriodicTask.class);

	private final String name;

	private final Duration delay;

	private final Duration every;

	private final Runnable task;

	private volatile @Nullable ScheduledExecutorService executor;

	/** Runs {@code task} first {@code delay} after {@link #start}, then {@code every} after each run ended. */
	public PeriodicTask(String name, Duration delay, Duration every, Runnable task) {
		this.name = name;
		this.delay = delay;
		this.every = every;
		this.task = task;
	}

	public synchronized void start() {
		if (this.executor != null) {
			return;
		}
		ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor((runnable) -> {
			Thread thread = new Thread(runnable, this.name);
			thread.setDaemon(true);
			return thread;
		});
		executor.scheduleWithFixedDelay(this::runOnce, this.delay.toMillis(), this.every.toMillis(), TimeUnit.MILLISECONDS);
		this.executor = executor;
	}

	private void runOnce() {
		try {
			this.task.run();
		}
		catch (RuntimeException ex) {
			log.warn("{} failed, runs again in {}: {}", this.name, this.every, ex.toString());
		}
	}

	/** Interrupts a run in progress and waits for it to end (up to 10 s). */
	public synchronized void stop() {
		ScheduledExecutorService executor = this.executor;
		if (executor == null) {
			return;
		}
		executor.shutdownNow();
		try {
			executor.awaitTermination(10, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		this.executor = null;
	}

	public boolean isRunning() {
		return this.executor != null;
	}
}
