package dev.freshline.bench.chaos;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

import dev.freshline.bench.Machine;

/** The run's table ({@code chaos.md}), its figures ({@code chaos.json}) and the RESULT line. */
final class ChaosReport {

	private final List<ScenarioResult> results;

	private final Machine machine;

	private final String command;

	private final String finished;

	ChaosReport(List<ScenarioResult> results, Machine machine, String command, String finished) {
		this.results = results;
		this.machine = machine;
		this.command = command;
		this.finished = finished;
	}

	/**
	 * {@code RESULT scenarios=<n> passed=<n> lost_invalidations=<n> stale_after_quiescence=<n>
	 * staleness_max_ms=<x> api_5xx=<n> max_recovery_s=<x> inspector_checked=<n> inspector_inconsistent=<n>}
	 * over the scenarios; a figure no scenario measured is NaN, and so is the recovery when a
	 * scenario never recovered.
	 */
	String resultLine() {
		double stalenessMax = this.results.stream().mapToDouble(ScenarioResult::stalenessMaxMs).filter(Double::isFinite).max().orElse(Double.NaN);
		boolean unrecovered = this.results.stream().anyMatch((result) -> !Double.isFinite(result.recoverySeconds()));
		double recovery = unrecovered ? Double.NaN
				: this.results.stream().mapToDouble(ScenarioResult::recoverySeconds).max().orElse(Double.NaN);
		return String.format(Locale.ROOT,
				"RESULT scenarios=%d passed=%d lost_invalidations=%d stale_after_quiescence=%d staleness_max_ms=%.1f "
						+ "api_5xx=%d max_recovery_s=%.1f inspector_checked=%d inspector_inconsistent=%d",
				this.results.size(), this.results.stream().filter((result) -> result.status() == ScenarioResult.Status.PASSED).count(),
				this.results.stream().mapToInt(ScenarioResult::lost).sum(), this.results.stream().mapToInt(ScenarioResult::staleAfterQuiescence).sum(),
				stalenessMax, this.results.stream().mapToLong(ScenarioResult::errors).sum(), recovery,
				this.results.stream().mapToLong(ScenarioResult::inspectorChecked).sum(),
				this.results.stream().mapToLong(ScenarioResult::inspectorInconsistent).sum());
	}

	boolean failed() {
		return this.results.stream().anyMatch((result) -> result.status() == ScenarioResult.Status.FAILED);
	}

	String markdown() {
		StringBuilder md = new StringBuilder();
		md.append("`").append(this.command).append("`, finished ").append(this.finished).append("; ")
			.append(this.machine.line()).append(".\n\n");
		md.append("| scenario | fault | lost | stale after quiescence | staleness p99 / max (ms) | 5xx or timed out | recovery (s) | result |\n");
		md.append("| --- | --- | --- | --- | --- | --- | --- | --- |\n");
		for (ScenarioResult result : this.results) {
			md.append(String.format(Locale.ROOT, "| %s | %s | %d of %d | %d | %s / %s | %d | %s | %s |%n", result.name(),
					result.fault(), result.lost(), result.entriesChecked(), result.staleAfterQuiescence(),
					millis(result.stalenessP99Ms()), millis(result.stalenessMaxMs()), result.errors(),
					Double.isFinite(result.recoverySeconds()) ? String.format(Locale.ROOT, "%.1f", result.recoverySeconds())
							: "not recovered",
					(result.status() == ScenarioResult.Status.PASSED) ? "pass" : "**FAIL**: " + String.join("; ", result.failures())));
		}
		md.append("\nPer scenario, what the load saw and what the harness noted:\n\n");
		for (ScenarioResult result : this.results) {
			md.append(String.format(Locale.ROOT, "- **%s**: %d reads (%s), %d failed as the fault itself (the faulted instance unanswered, 5xx while Postgres restarted); %d patient writes (%d failed); %s%n",
					result.name(), result.reads(), outcomes(result.outcomes()), result.faultedUnanswered(), result.writes(),
					result.writeFailures(), String.join("; ", result.notes())));
		}
		md.append("\n").append(resultLine()).append("\n");
		return md.toString();
	}

	Map<String, Object> json() {
		Map<String, Object> root = new LinkedHashMap<>();
		root.put("command", this.command);
		root.put("finished", this.finished);
		root.put("machine", this.machine.line());
		root.put("scenarios", this.results.stream().map(ChaosReport::json).toList());
		root.put("result", resultLine());
		return root;
	}

	private static Map<String, Object> json(ScenarioResult result) {
		Map<String, Object> scenario = new LinkedHashMap<>();
		scenario.put("name", result.name());
		scenario.put("fault", result.fault());
		scenario.put("result", result.status().label);
		scenario.put("failures", result.failures());
		scenario.put("lost_invalidations", result.lost());
		scenario.put("entries_checked", result.entriesChecked());
		scenario.put("stale_after_quiescence", result.staleAfterQuiescence());
		scenario.put("staleness_p99_ms", finite(result.stalenessP99Ms()));
		scenario.put("staleness_max_ms", finite(result.stalenessMaxMs()));
		scenario.put("reads", result.reads());
		scenario.put("reads_by_freshline_cache", result.outcomes());
		scenario.put("api_5xx_or_timed_out", result.errors());
		scenario.put("faulted_instance_unanswered", result.faultedUnanswered());
		scenario.put("recovery_s", finite(result.recoverySeconds()));
		scenario.put("patient_writes", result.writes());
		scenario.put("write_failures", result.writeFailures());
		scenario.put("notes", result.notes());
		return scenario;
	}

	void write(Path out) throws IOException {
		Files.createDirectories(out);
		Files.writeString(out.resolve("chaos.md"), markdown());
		Files.writeString(out.resolve("chaos.json"),
				JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build().writeValueAsString(json()) + "\n");
	}

	private static String millis(double value) {
		return Double.isFinite(value) ? String.format(Locale.ROOT, "%.1f", value) : "-";
	}

	private static Object finite(double value) {
		return Double.isFinite(value) ? value : "NaN";
	}

	private static String outcomes(Map<String, Long> outcomes) {
		return outcomes.entrySet().stream().map((entry) -> entry.getValue() + " " + entry.getKey()).collect(Collectors.joining(", "));
	}
}
