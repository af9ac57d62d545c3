package dev.freshline.bench;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

/** Sends a signal to a process of the stack with {@code kill}, as a user would from a shell. */
public final class Signals {

	private Signals() {
	}

	/** {@code signal} without the SIG prefix: KILL, STOP, CONT, TERM. */
	public static void send(String signal, long pid) throws IOException, InterruptedException {
		Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start();
		if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
			throw new IllegalStateException("kill -" + signal + " " + pid + " failed");
		}
	}
}
