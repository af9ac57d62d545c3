package dev.freshline.bench.chaos;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

/**
 * One fault a scenario injects into the running stack and ends again by itself. A fault without
 * duration (a kill) ends when it is injected; its recovery is measured from then.
 */
interface Fault extends AutoCloseable {

	/** What is done, e.g. "SIGKILL of the invalidator (the launcher restarts it)". */
	String description();

	void inject(ChaosContext context) throws Exception;

	/** How long the fault lasts before {@link #end}. */
	default Duration duration() {
		return Duration.ZERO;
	}

	/** Ends the fault (sends SIGCONT, lets traffic through again); called whatever happened meanwhile. */
	default void end(ChaosContext context) throws Exception {
	}

	/** The API instance (0 or 1) the fault takes away, whose unanswered reads are the fault itself; -1 for none. */
	default int faultedInstance() {
		return -1;
	}

	/**
	 * Whether a failed read is the fault itself rather than a broken promise, beyond the faulted
	 * instance's unanswered reads: a 5xx while Postgres, the source of every miss, restarts.
	 */
	default boolean excuses(ChaosLoad.Read read, long injectedNanos, long endedNanos) {
		return false;
	}

	/**
	 * Whether what the fault set off is over (the killed process is back, the poison records are
	 * dead-lettered): recovery is only measured once it is, since right after a kill the stack still
	 * serves hits from before it. Asked repeatedly; must not block.
	 */
	default boolean over(ChaosContext context) throws Exception {
		return true;
	}

	/** Once quiet: null if the fault did what it should have (e.g. the restart was reported), else why not. */
	default @Nullable String verify(ChaosContext context) throws Exception {
		return null;
	}

	/** Stops whatever the fault started itself (an extra process), after {@link #verify}, whatever happened. */
	@Override
	default void close() {
	}
}
