package dev.freshline.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * JFR recordings of service JVMs while a step runs ({@code jcmd JFR.start}, then {@code JFR.dump}),
 * summarised from {@code jfr print --events jdk.ExecutionSample} as the threads and top frames
 * that were on CPU: what a missed goal is waiting for. Needs the JDK's jcmd and jfr on the PATH.
 */
final class Profiles {

	private final Path directory;

	private final Map<String, Long> recording = new HashMap<>();

	Profiles(Path directory) {
		this.directory = directory;
	}

	void start(String name, long pid) throws Exception {
		Files.createDirectories(this.directory);
		if (run(List.of("jcmd", Long.toString(pid), "JFR.start", "name=bench", "settings=profile")).contains("Started")) {
			this.recording.put(name, pid);
		}
	}

	/** Dumps and stops every recording; one markdown paragraph per process. */
	List<String> stop(String step) throws Exception {
		List<String> summaries = new ArrayList<>();
		for (var entry : this.recording.entrySet()) {
			Path file = this.directory.resolve(entry.getKey() + "-" + step + ".jfr");
			run(List.of("jcmd", Long.toString(entry.getValue()), "JFR.dump", "name=bench", "filename=" + file));
			run(List.of("jcmd", Long.toString(entry.getValue()), "JFR.stop", "name=bench"));
			summaries.add(summary(entry.getKey(), step, file));
		}
		this.recording.clear();
		return summaries;
	}

	private String summary(String name, String step, Path file) throws Exception {
		if (!Files.exists(file)) {
			return "JFR of " + name + " during " + step + ": no recording was written";
		}
		Map<String, Integer> threads = new HashMap<>();
		Map<String, Integer> frames = new HashMap<>();
		String[] lines = run(List.of("jfr", "print", "--events", "jdk.ExecutionSample", file.toString())).split("\n");
		int samples = 0;
		for (int i = 0; i < lines.length; i++) {
			String line = lines[i].trim();
			if (line.startsWith("sampledThread = ")) {
				samples++;
				String thread = line.substring("sampledThread = ".length()).replaceAll(" \\(javaThreadId = \\d+\\)", "")
					.replaceAll("-\\d+", "-N");
				threads.merge(thread, 1, Integer::sum);
			}
			else if (line.equals("stackTrace = [") && i + 1 < lines.length) {
				frames.merge(lines[i + 1].trim().replaceAll("\\s+line: \\d+.*", ""), 1, Integer::sum);
			}
		}
		return String.format(Locale.ROOT, "JFR of %s during %s (`%s`, %d execution samples). Threads on CPU: %s. Top frames: %s.",
				name, step, this.directory.getParent().relativize(file), samples, top(threads, samples), top(frames, samples));
	}

	private static String top(Map<String, Integer> counts, int total) {
		List<String> top = new ArrayList<>();
		counts.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(5)
			.forEach((entry) -> top.add(String.format(Locale.ROOT, "`%s` %.0f%%", entry.getKey(),
					100.0 * entry.getValue() / Math.max(1, total))));
		return String.join(", ", top);
	}

	private static String run(List<String> command) throws Exception {
		Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
		String output = new String(process.getInputStream().readAllBytes());
		process.waitFor(60, TimeUnit.SECONDS);
		return output;
	}
}
