package dev.freshline.launcher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A launcher killed with SIGKILL cannot stop its children, which then keep ports and data
 * directories. Every pid we start is recorded; the next launch kills whatever of it is still
 * alive, after checking that the pid still belongs to a process of ours.
 */
final class StaleProcesses {

	private final Path pidFile;

	StaleProcesses(Path pidFile) {
		this.pidFile = pidFile;
	}

	void sweep() throws IOException {
		if (!Files.exists(this.pidFile)) {
			return;
		}
		for (String line : Files.readAllLines(this.pidFile)) {
			String[] parts = line.trim().split("\\s+", 2);
			if (parts.length < 2 || parts[0].isEmpty()) {
				continue;
			}
			String marker = parts[1];
			ProcessHandle.of(Long.parseLong(parts[0]))
				.filter(ProcessHandle::isAlive)
				.filter((process) -> commandLine(process).map((command) -> command.contains(marker)).orElse(false))
				.ifPresent((process) -> {
					System.out.printf("Stopping %s (pid %d) left over from an earlier run%n", marker, process.pid());
					process.destroy();
					try {
						process.onExit().get(10, TimeUnit.SECONDS);
					}
					catch (Exception ex) {
						process.destroyForcibly();
					}
				});
		}
		Files.deleteIfExists(this.pidFile);
	}

	/** Records a pid with a string that its command line contains (e.g. the jar or data directory). */
	synchronized void record(long pid, String marker) throws IOException {
		Files.writeString(this.pidFile, pid + " " + marker + System.lineSeparator(),
				java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
	}

	void clear() throws IOException {
		Files.deleteIfExists(this.pidFile);
	}

	private static Optional<String> commandLine(ProcessHandle process) {
		Optional<String> line = process.info().commandLine();
		if (line.isPresent()) {
			return line;
		}
		try {
			// info() is empty for processes of other users; /proc still tells for ours
			return Optional.of(Files.readString(Path.of("/proc", Long.toString(process.pid()), "cmdline")).replace('\0', ' '));
		}
		catch (IOException ex) {
			return Optional.empty();
		}
	}
}
