package dev.freshline.embedded;

/**
 * Registers JVM shutdown hooks for the servers, so that a launcher or test JVM that exits normally
 * never leaves a Postgres or Redis child process, or a scratch directory, behind.
 */
final class ShutdownHooks {

	private ShutdownHooks() {
	}

	static Thread register(String name, Runnable action) {
		Thread hook = new Thread(action, name);
		Runtime.getRuntime().addShutdownHook(hook);
		return hook;
	}

	/** Removes a hook after an explicit close, so closed servers do not pile up in the JVM's hook list. */
	static void unregister(Thread hook) {
		if (Thread.currentThread() == hook) {
			return;
		}
		try {
			Runtime.getRuntime().removeShutdownHook(hook);
		} catch (IllegalStateException shutdownInProgress) {
			// The JVM is exiting and the hook is already running or about to: nothing to undo.
		}
	}
}
