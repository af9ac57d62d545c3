package dev.freshline.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The replay figure comes from the replay benchmark ({@code scripts/bench-replay}), run
 * as its own process from the jars {@code scripts/bench} has just built (the script would rebuild
 * the very jar this bench runs from), on its own Kafka and Redis after the stacks are stopped so
 * that it has the machine to itself; its RESULT line gives the events/s.
 */
final class ReplayFigure {

	record Figure(double eventsPerS, long events, String note) {
	}

	private static final Pattern RATE = Pattern.compile("replay_events_per_s=([0-9.]+)");

	static Figure run(Path home, long events, Path log) throws Exception {
		Path bench = home.resolve("bench/target/bench-exec.jar");
		Path ops = home.resolve("ops-cli/target/ops-cli-exec.jar");
		for (Path jar : List.of(bench, ops)) {
			if (!Files.isRegularFile(jar)) {
				return new Figure(Double.NaN, events, home.relativize(jar) + " is missing: build with ./mvnw -DskipTests package");
			}
		}
		String command = "bench-exec.jar replay --events " + events + " (scripts/bench-replay without its build)";
		Process process = new ProcessBuilder(List.of(ProcessHandle.current().info().command().orElse("java"), "-Xmx1g", "-jar",
				bench.toString(), "replay", "--jar", ops.toString(), "--events", Long.toString(events)))
			.directory(home.toFile())
			.redirectErrorStream(true)
			.redirectOutput(log.toFile())
			.start();
		if (!process.waitFor(15, TimeUnit.MINUTES)) {
			process.destroyForcibly();
			return new Figure(Double.NaN, events, command + " did not finish in 15 minutes; see " + log);
		}
		String output = Files.readString(log);
		Matcher rate = RATE.matcher(output);
		if (process.exitValue() != 0 || !rate.find()) {
			return new Figure(Double.NaN, events,
					command + " exited with " + process.exitValue() + " without a replay rate; see " + log);
		}
		return new Figure(Double.parseDouble(rate.group(1)), events, "scripts/bench-replay --events " + events);
	}
}
