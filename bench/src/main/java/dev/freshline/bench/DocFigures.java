package dev.freshline.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The benchmark figures README.md and docs/benchmarks.md quote, generated from
 * {@code bench/results/latest.json} into their marked blocks ({@code <!-- bench:begin goals -->} or
 * {@code <!-- bench:begin run -->} ... {@code <!-- bench:end -->}) so that a document cannot quote a
 * figure the results do not contain. {@code scripts/bench-docs} rewrites the blocks;
 * {@code DocFiguresTests} fails the build when a committed block differs from what latest.json gives.
 */
final class DocFigures {

	static final List<String> DOCUMENTS = List.of("README.md", "docs/benchmarks.md");

	static final String RESULTS = "bench/results/latest.json";

	private static final String BEGIN = "<!-- bench:begin ";

	private static final String END = "<!-- bench:end -->";

	private final JsonNode run;

	DocFigures(String latestJson) {
		this.run = JsonMapper.builder().build().readTree(latestJson);
	}

	static DocFigures of(Path home) throws IOException {
		return new DocFigures(Files.readString(home.resolve(RESULTS)));
	}

	/** {@code scripts/bench-docs}: rewrites the blocks of every document in place. */
	static void main(String[] args) throws IOException {
		Path home = Path.of(System.getProperty("freshline.home", ".")).toAbsolutePath().normalize();
		DocFigures figures = of(home);
		for (String document : DOCUMENTS) {
			Path file = home.resolve(document);
			String text = Files.readString(file);
			String rewritten = figures.rewrite(text);
			if (!rewritten.equals(text)) {
				Files.writeString(file, rewritten);
				System.out.println("rewrote the bench figures in " + document);
			}
			else {
				System.out.println(document + " already quotes " + RESULTS);
			}
		}
	}

	/** {@code text} with every marked block replaced by what latest.json gives for its kind. */
	String rewrite(String text) {
		StringBuilder out = new StringBuilder();
		int at = 0;
		while (true) {
			int begin = text.indexOf(BEGIN, at);
			if (begin < 0) {
				return out.append(text, at, text.length()).toString();
			}
			int kindEnd = text.indexOf("-->", begin);
			int end = text.indexOf(END, kindEnd);
			if (kindEnd < 0 || end < 0) {
				throw new IllegalArgumentException("a bench block opened at offset " + begin + " is not closed with " + END);
			}
			String kind = text.substring(begin + BEGIN.length(), kindEnd).strip();
			out.append(text, at, kindEnd + 3).append('\n').append(block(kind));
			at = end;
		}
	}

	/** The generated body of a block of {@code kind}: {@code goals} (README) or {@code run} (docs). */
	String block(String kind) {
		StringBuilder md = new StringBuilder();
		md.append(provenance()).append("\n\n");
		switch (kind) {
			case "goals" -> goals(md);
			case "run" -> {
				md.append("```\n").append(resultLine()).append("\n```\n\n");
				goals(md);
				md.append("\nWhere the time went, step by step (the slowest hop at p99 and the CPU the machine had left):\n\n");
				this.run.path("limits").forEach((limit) -> md.append("- ").append(limit.asString()).append('\n'));
				List<String> failures = new ArrayList<>();
				this.run.path("failures").forEach((failure) -> failures.add(failure.asString()));
				if (!failures.isEmpty()) {
					md.append("\nNot measured in this run:\n\n");
					failures.forEach((failure) -> md.append("- ").append(failure).append('\n'));
				}
			}
			default -> throw new IllegalArgumentException("unknown bench block '" + kind + "' (goals or run)");
		}
		return md.toString();
	}

	private String provenance() {
		String command = this.run.path("command").asString();
		JsonNode machine = this.run.path("machine");
		return String.format(Locale.ROOT, "`%s`%s, finished %s, Freshline %s; %d cores, %.1f GiB, %s, %s, load average at the start %s.",
				command, command.contains("--quick") ? " (a quick run: short steps and few samples, so rough figures)" : "",
				this.run.path("finished").asString(), this.run.path("versions").path("freshline").asString(),
				machine.path("cores").asInt(), machine.path("memoryGiB").asDouble(), machine.path("jdk").asString(),
				machine.path("os").asString(), machine.path("loadAverage").asString());
	}

	private void goals(StringBuilder md) {
		md.append("| figure | goal | measured | met |\n| --- | --- | --- | --- |\n");
		this.run.path("goals").forEach((goal) -> md.append("| ").append(goal.path("figure").asString()).append(" | ")
			.append(goal.path("goal").asString()).append(" | ").append(goal.path("measured").asString()).append(" | ")
			.append(goal.path("met").asString()).append(" |\n"));
	}

	/** The RESULT line as the run printed it, from its headline figures. */
	String resultLine() {
		StringBuilder line = new StringBuilder("RESULT");
		for (Map.Entry<String, JsonNode> figure : this.run.path("headline").properties()) {
			JsonNode value = figure.getValue();
			double number = number(value);
			// a figure that is not a number (stock_kept_up: a list of rates) is quoted as it is
			String text = (Double.isNaN(number) && value.isString() && !value.asString().equals("NaN")) ? value.asString()
					: Report.format(figure.getKey(), number);
			line.append(' ').append(figure.getKey()).append('=').append(text);
		}
		return line.toString();
	}

	/** Jackson writes NaN as a string. */
	private static double number(JsonNode value) {
		if (value.isNumber()) {
			return value.asDouble();
		}
		try {
			return Double.parseDouble(value.asString());
		}
		catch (NumberFormatException ex) {
			return Double.NaN;
		}
	}
}
