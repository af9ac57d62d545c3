package dev.freshline.launcher;

import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Restarts a service that exits while the stack runs, so a crashed or killed invalidator does not
 * leave the cache silently stale: each exit is reported in one line (which service, why, how many
 * restarts so far) and the service comes back on the same port after a back-off. Once
 * {@link #stop()} was called, exits are expected and nothing is restarted.
 */
final class Supervisor {

	private final Backoff.Policy policy;

	private final HealthCheck health;

	private final Listener listener;

	private final Consumer<String> console;

	private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(4, (task) -> {
		Thread thread = new Thread(task, "freshline-supervisor");
		thread.setDaemon(true);
		return thread;
	});

	private final Map<String, ServiceProcess> current = new LinkedHashMap<>();

	private final Map<String, Backoff> backoffs = new LinkedHashMap<>();

	private boolean stopping;

	Supervisor(Backoff.Policy policy, HealthCheck health, Listener listener, Consumer<String> console) {
		this.policy = policy;
		this.health = health;
		this.listener = listener;
		this.console = console;
	}

	/** Watches {@code service} from now on; a service handed in after {@link #stop()} is stopped at once. */
	void supervise(ServiceProcess service) {
		synchronized (this) {
			if (!this.stopping) {
				this.current.put(service.name(), service);
				this.backoffs.putIfAbsent(service.name(), new Backoff(this.policy));
				service.onExit().thenRun(() -> exited(service));
				return;
			}
		}
		service.stop();
	}

	/** The processes running now, in the order they were first started. */
	synchronized List<ServiceProcess> services() {
		return List.copyOf(this.current.values());
	}

	/** Ends supervision and returns the processes to stop; no restart starts after this returns. */
	List<ServiceProcess> stop() {
		synchronized (this) {
			this.stopping = true;
		}
		this.scheduler.shutdownNow();
		return services();
	}

	private void exited(ServiceProcess service) {
		Duration delay;
		int restart;
		synchronized (this) {
			if (this.stopping || this.current.get(service.name()) != service) {
				return;
			}
			Backoff backoff = this.backoffs.get(service.name());
			delay = backoff.next(service.uptime());
			restart = backoff.restarts();
		}
		this.console.accept(String.format("%s (pid %d) %s after %d s up; restart #%d in %d s", service.name(),
				service.pid(), ExitStatus.describe(service.exitValue()), service.uptime().toSeconds(), restart,
				delay.toSeconds()));
		this.scheduler.schedule(() -> restart(service, restart), delay.toMillis(), TimeUnit.MILLISECONDS);
	}

	private void restart(ServiceProcess dead, int restart) {
		ServiceProcess next;
		synchronized (this) {
			if (this.stopping) {
				return;
			}
			try {
				next = dead.restart();
			}
			catch (IOException | RuntimeException ex) {
				this.console.accept(String.format("%s could not be restarted (restart #%d): %s", dead.name(), restart, ex));
				Duration delay = this.backoffs.get(dead.name()).next(Duration.ZERO);
				this.scheduler.schedule(() -> restart(dead, restart), delay.toMillis(), TimeUnit.MILLISECONDS);
				return;
			}
			this.current.put(next.name(), next);
			next.onExit().thenRun(() -> exited(next));
		}
		try {
			this.listener.restarted(next);
		}
		catch (IOException | RuntimeException ex) {
			this.console.accept("Recording the new pid of " + next.name() + " failed: " + ex);
		}
		try {
			this.health.await(next);
			this.console.accept(String.format("%s restarted as pid %d and healthy again in %.1f s (restart #%d)",
					next.name(), next.pid(), next.uptime().toMillis() / 1000.0, restart));
		}
		catch (InterruptedException stopping) {
			Thread.currentThread().interrupt();
		}
		catch (RuntimeException ex) {
			// it died or hung while starting: its exit, if any, is reported and restarted on its own
			this.console.accept(String.format("%s (pid %d) did not become healthy after restart #%d: %s", next.name(),
					next.pid(), restart, ex.getMessage()));
		}
	}

	/** Blocks until a restarted service answers as healthy, or throws. */
	interface HealthCheck {

		void await(ServiceProcess service) throws InterruptedException;
	}

	/** Told of every restarted process before it is healthy, to publish its pid. */
	interface Listener {

		void restarted(ServiceProcess service) throws IOException;
	}

	/** Exponential back-off that starts over once a service stayed up for {@link Policy#stable()}. */
	static final class Backoff {

		private final Policy policy;

		private Duration next;

		private int restarts;

		Backoff(Policy policy) {
			this.policy = policy;
			this.next = policy.first();
		}

		/** The delay before the next restart of a process that ran for {@code uptime}. */
		Duration next(Duration uptime) {
			if (uptime.compareTo(this.policy.stable()) >= 0) {
				this.next = this.policy.first();
			}
			Duration delay = this.next;
			Duration doubled = delay.multipliedBy(2);
			this.next = (doubled.compareTo(this.policy.max()) > 0) ? this.policy.max() : doubled;
			this.restarts++;
			return delay;
		}

		int restarts() {
			return this.restarts;
		}

		/** 1 s doubling to 30 s, back to 1 s after a minute up (a service needs 10-20 s to start here). */
		record Policy(Duration first, Duration max, Duration stable) {

			static final Policy DEFAULT = new Policy(Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ofMinutes(1));
		}
	}

	/** Says why a process ended, from its exit value. */
	static final class ExitStatus {

		private static final List<String> NAMES = List.of("", "HUP", "INT", "QUIT", "ILL", "TRAP",
				"ABRT", "BUS", "FPE", "KILL", "USR1", "SEGV", "USR2", "PIPE", "ALRM", "TERM");

		private ExitStatus() {
		}

		/**
		 * The JDK reports a process ended by signal N as exit value 128+N (and a JVM that ran its
		 * shutdown hooks on SIGTERM exits with 143 itself), so values above 128 name the signal.
		 */
		static String describe(int exitValue) {
			if (exitValue > 128 && exitValue <= 128 + 64) {
				int signal = exitValue - 128;
				return "killed by " + ((signal < NAMES.size()) ? "SIG" + NAMES.get(signal) : "signal " + signal)
						+ " (exit code " + exitValue + ")";
			}
			return "exited with code " + exitValue;
		}
	}
}
