package dev.freshline.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The replay figure comes from ops-cli's own benchmark ({@code scripts/bench-replay}, issue #5),
 * run as it is documented, on its own Kafka and Redis after the stacks are stopped so that it has
 * the machine to itself; its RESULT line gives the events/s.
 */
final class ReplayFigure {

	record Figure(double eventsPerS, long events, String note) {
	}

	private static final Pattern RATE = Pattern.compile("replay_events_per_s=([0-9.]+)");

	static Figure run(Path home, long events, Path log) throws Exception {
		Path script = home.resolve("scripts/bench-replay");
		if (!Files.isExecutable(script)) {
			return new Figure(Double.NaN, events, "scripts/bench-replay (ops-cli, issue #5) is not in this checkout");
		}
		Process process = new ProcessBuilder(List.of(script.toString(), "--events", Long.toString(events)))
			.directory(home.toFile())
			.redirectErrorStream(true)
			.redirectOutput(log.toFile())
			.start();
		if (!process.waitFor(15, TimeUnit.MINUTES)) {
			process.destroyForcibly();
			return new Figure(Double.NaN, events, "scripts/bench-replay did not finish in 15 minutes; see " + log);
		}
		String output = Files.readString(log);
		Matcher rate = RATE.matcher(output);
		if (process.exitValue() != 0 || !rate.find()) {
			return new Figure(Double.NaN, events,
					"scripts/bench-replay exited with " + process.exitValue() + " without a replay rate; see " + log);
		}
		return new Figure(Double.parseDouble(rate.group(1)), events, "scripts/bench-replay --events " + events);
	}
}
