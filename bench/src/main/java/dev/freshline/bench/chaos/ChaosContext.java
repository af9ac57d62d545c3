package dev.freshline.bench.chaos;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.freshline.bench.BenchProgress;
import dev.freshline.bench.StackProcess;

/**
 * What a fault works with: the stack, its probe, the progress lines, the launcher's console output,
 * and the fault proxies the run put in front of servers.
 */
record ChaosContext(StackProcess stack, StackProbe probe, BenchProgress progress, Map<Proxied, FaultProxy> proxies) {

	private static final Pattern RESTARTED = Pattern
		.compile("(\\S+) restarted as pid (\\d+) and healthy again in ([0-9.]+) s \\(restart #(\\d+)\\)");

	/** The launcher's console output so far, in bytes: where to look for what it says next. */
	long launcherOutputSize() throws IOException {
		return Files.size(launcherOutput());
	}

	/**
	 * The launcher's line saying {@code process} restarted and became healthy, written after
	 * {@code from} (a {@link #launcherOutputSize()}), e.g.
	 * {@code invalidator restarted as pid 21097 and healthy again in 5.8 s (restart #1)}.
	 */
	Optional<String> restartLine(String process, long from) throws IOException {
		byte[] output = Files.readAllBytes(launcherOutput());
		String since = new String(output, (int) Math.min(from, output.length), (int) Math.max(0, output.length - from),
				StandardCharsets.UTF_8);
		Matcher line = RESTARTED.matcher(since);
		while (line.find()) {
			if (line.group(1).equals(process)) {
				return Optional.of(line.group());
			}
		}
		return Optional.empty();
	}

	private Path launcherOutput() {
		return this.stack.state().resolve("launcher.out");
	}
}
