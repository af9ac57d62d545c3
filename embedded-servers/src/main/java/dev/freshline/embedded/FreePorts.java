package dev.freshline.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;

/**
 * Finds free TCP ports on 127.0.0.1. Fixed ports collide with other processes on a shared machine,
 * so every embedded server asks the kernel for an ephemeral one.
 */
public final class FreePorts {

	// Two servers started back to back (Kafka's broker and controller listeners) must not be handed
	// the same port before either has bound it; the kernel may offer a just-released port again.
	private static final Set<Integer> HANDED_OUT = new HashSet<>();

	private FreePorts() {
	}

	/** Returns a port that was free on 127.0.0.1 a moment ago and that this JVM has not handed out before. */
	public static int find() {
		for (int attempt = 0; attempt < 100; attempt++) {
			int port = probe();
			synchronized (HANDED_OUT) {
				if (HANDED_OUT.add(port)) {
					return port;
				}
			}
		}
		throw new EmbeddedServerException("No free port found on 127.0.0.1 after 100 attempts");
	}

	/**
	 * A free port whose {@code port + offset} is free as well, both handed out: a Redis 6.2 cluster
	 * node listens for its cluster bus on its port plus 10,000, and cannot be told another.
	 */
	public static int findWithCompanion(int offset) {
		for (int attempt = 0; attempt < 100; attempt++) {
			int port = find();
			int companion = port + offset;
			if (companion <= 65535 && isFree(companion)) {
				synchronized (HANDED_OUT) {
					if (HANDED_OUT.add(companion)) {
						return port;
					}
				}
			}
		}
		throw new EmbeddedServerException("No free port p with p + " + offset + " free on 127.0.0.1 after 100 attempts");
	}

	private static boolean isFree(int port) {
		try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getByName("127.0.0.1"))) {
			return true;
		}
		catch (IOException ex) {
			return false;
		}
	}

	private static int probe() {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot bind a probe socket on 127.0.0.1", ex);
		}
	}
}
