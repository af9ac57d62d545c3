package dev.freshline.launcher;

import java.util.ArrayList;
import java.util.List;

/**
 * Starts a command with SIGINT back at its default disposition. A process started with SIGINT
 * ignored (under {@code nohup} or as a background job of a non-interactive shell, e.g.
 * {@code ./mvnw verify &} in a script) passes the ignore on to its children across exec, and a JVM
 * that starts with SIGINT ignored never installs its handler: the launcher would not stop on
 * Ctrl-C. A shell cannot undo that ({@code trap - INT} leaves a signal that was ignored at entry
 * ignored, in dash and bash alike, and {@code setsid} keeps it too); {@code env --default-signal}
 * (GNU coreutils 8.31+, Debian 11+) and Perl's {@code %SIG} can.
 */
final class DefaultSigint {

	private DefaultSigint() {
	}

	static List<String> wrap(List<String> command) {
		List<String> wrapped = new ArrayList<>(envSupportsDefaultSignal()
				? List.of("env", "--default-signal=INT")
				: List.of("perl", "-e", "$SIG{INT} = 'DEFAULT'; exec { $ARGV[0] } @ARGV or die \"exec $ARGV[0]: $!\""));
		wrapped.addAll(command);
		return wrapped;
	}

	/** {@code command} as a process that inherits SIGINT ignored, as under {@code nohup ... &}. */
	static List<String> startedWithSigintIgnored(List<String> command) {
		List<String> wrapped = new ArrayList<>(List.of("sh", "-c", "trap '' INT; exec \"$@\"", "sh"));
		wrapped.addAll(command);
		return wrapped;
	}

	/**
	 * {@code command} as the leader of a process group of its own (setsid keeps signal
	 * dispositions), so that {@code kill -INT -- -pid} reaches it and all its children at once, as
	 * Ctrl-C in a terminal does, without reaching the test's JVM.
	 */
	static List<String> inOwnProcessGroup(List<String> command) {
		List<String> wrapped = new ArrayList<>(List.of("setsid"));
		wrapped.addAll(command);
		return wrapped;
	}

	/** Whether SIGINT is ignored in the process {@code pid}, from {@code SigIgn} in its {@code /proc} status. */
	static boolean ignoresSigint(long pid) throws Exception {
		String mask = java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc", Long.toString(pid), "status"))
			.stream()
			.filter((line) -> line.startsWith("SigIgn:"))
			.findFirst()
			.orElseThrow()
			.substring("SigIgn:".length())
			.trim();
		return (Long.parseUnsignedLong(mask, 16) & (1L << (2 - 1))) != 0;
	}

	private static boolean envSupportsDefaultSignal() {
		try {
			return new ProcessBuilder("env", "--default-signal=INT", "true").redirectErrorStream(true)
				.redirectOutput(ProcessBuilder.Redirect.DISCARD)
				.start()
				.waitFor() == 0;
		}
		catch (Exception ex) {
			return false;
		}
	}
}
