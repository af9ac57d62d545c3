package dev.freshline.embedded;

/**
 * Registers JVM shutdown hooks for the servers, so that a launcher or test JVM that exits normally
 * never leaves a Postgres or Redis child process, or a scratch directory, behind. JVM hooks run
 * all at once, in no order: a launcher that must stop its services before the servers they use
 * sets {@value #PROPERTY} to false and closes the servers itself, in order.
 */
public final class ShutdownHooks {

	public static final String PROPERTY = "freshline.embedded.shutdown-hooks";

	private ShutdownHooks() {
	}

	static Thread register(String name, Runnable action) {
		Thread hook = new Thread(action, name);
		if (Boolean.parseBoolean(System.getProperty(PROPERTY, "true"))) {
			Runtime.getRuntime().addShutdownHook(hook);
		}
		return hook;
	}

	/** Removes a hook after an explicit close, so closed servers do not pile up in the JVM's hook list. */
	static void unregister(Thread hook) {
		if (Thread.currentThread() == hook) {
			return;
		}
		try {
			Runtime.getRuntime().removeShutdownHook(hook);
		}
		catch (IllegalArgumentException neverRegistered) {
			// registration was switched off
		}
		catch (IllegalStateException shutdownInProgress) {
			// The JVM is exiting and the hook is already running or about to: nothing to undo.
		}
	}
}
