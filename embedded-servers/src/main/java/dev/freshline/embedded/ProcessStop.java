package dev.freshline.embedded;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * How every process Freshline starts is stopped: SIGTERM, so its shutdown hooks run (a service
 * flushes its offsets, the launcher stops what it started), then SIGKILL if it outlives
 * {@code grace}. An interrupt kills it at once rather than leave it running.
 */
public final class ProcessStop {

	private ProcessStop() {
	}

	public static void stop(Process process, Duration grace) {
		if (!process.isAlive()) {
			return;
		}
		process.destroy();
		try {
			if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
				process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
			}
		}
		catch (InterruptedException ex) {
			process.destroyForcibly();
			Thread.currentThread().interrupt();
		}
	}
}
