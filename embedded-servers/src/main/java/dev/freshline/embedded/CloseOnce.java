package dev.freshline.embedded;

/**
 * A server's shutdown hook and its closed flag. An explicit close and the JVM's hook both call
 * the server's {@code close()}; only the first may stop the process and delete its files, and
 * it removes the hook so closed servers do not pile up in the JVM's hook list.
 */
final class CloseOnce {

	private final Thread hook;

	private boolean closed;

	CloseOnce(String hookName, Runnable close) {
		this.hook = ShutdownHooks.register(hookName, close);
	}

	/** True for the first close only, which also unregisters the hook (unless the hook is what runs it). */
	synchronized boolean first() {
		if (this.closed) {
			return false;
		}
		this.closed = true;
		ShutdownHooks.unregister(this.hook);
		return true;
	}

	synchronized boolean closed() {
		return this.closed;
	}
}
