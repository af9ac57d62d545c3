package dev.freshline.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/** Writes one run as {@code latest.json}, {@code latest.md} and {@code lag.svg}, and composes the RESULT line. */
final class Report {

	/**
	 * How fast a step's lag may grow, in ms per second of the step, and the step still have kept up:
	 * a queue growing by 5 % of the rate each second adds that much wait.
	 */
	private static final double KEEPING_UP_MS_PER_S = 50;

	/** Seconds of writes that may still be in flight when the writer stops, in a step that kept up. */
	private static final double QUEUED_AT_END_S = 2;

	/** How long the last deletes may follow the last update, in a step that kept up. */
	private static final double DRAIN_MS = 2000;

	/** The RESULT line's one figure that is not a number: the stock rates that kept up. */
	static final String STOCK_KEPT_UP = "stock_kept_up";

	/** The fence cost's goal, as a share of hit throughput. */
	private static final double FENCE_COST_BOUND = 0.05;

	/** The API's fence refresh interval (api-service.yml's default, which the bench leaves alone). */
	private static final double FENCE_REFRESH_MS = 10;

	private final BenchResults results;

	private final Instant finished = Instant.now();

	Report(BenchResults results) {
		this.results = results;
	}

	void write(Path directory) throws IOException {
		Files.createDirectories(directory);
		JsonMapper json = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();
		Files.writeString(directory.resolve("latest.json"), json.writeValueAsString(document()));
		Files.writeString(directory.resolve("lag.svg"),
				LagPlot.svg(this.results.lag, this.results.stock, this.results.machine.line()));
		Files.writeString(directory.resolve("latest.md"), markdown());
	}

	private Map<String, Object> document() {
		Map<String, Object> document = new LinkedHashMap<>();
		document.put("finished", this.finished.toString());
		document.put("command", this.results.command);
		document.put("machine", this.results.machine);
		document.put("versions", this.results.versions);
		document.put("configuration", this.results.configuration);
		document.put("headline", headline());
		document.put("goals", goals());
		document.put("lag", this.results.lag);
		document.put("stock_debezium_lag", this.results.stock);
		document.put("stock_comparison", stockComparison());
		document.put("bulk_update", bulk());
		document.put("cpu_cores_during_steps", this.results.cpuDuringSteps);
		document.put("connector_idle_cpu_cores", this.results.connectorIdleCores);
		document.put("stock_connector_idle_cpu_cores", this.results.stockConnectorIdleCores);
		document.put("time_to_visible", this.results.visible);
		document.put("api_reads", this.results.reads);
		document.put("hot_key", this.results.hotKey);
		document.put("replay", this.results.replay);
		document.put("fence_hit_cost", this.results.fenceCost);
		document.put("freshline_after_reads", this.results.afterReads);
		document.put("paused_invalidator_staleness", this.results.paused);
		document.put("inspector_cost", this.results.inspectorCost);
		document.put("cluster_lag", this.results.cluster);
		document.put("cluster_cold_start_s", this.results.clusterColdStartSeconds);
		document.put("redis_failover", this.results.redisFailover);
		document.put("broker_loss", this.results.brokerLoss);
		document.put("not_measured", this.results.missing);
		document.put("not_asked_for", this.results.skipped);
		document.put("failures", failures());
		document.put("limits", limits());
		return document;
	}

	/**
	 * The figures of the RESULT line, in its order: numbers (NaN when not measured), and
	 * {@link #STOCK_KEPT_UP}, the rates at which the stock stack kept up ({@code 100+1000},
	 * {@code none}, or NaN when it did not run).
	 */
	private Map<String, Object> headline() {
		Map<String, Object> figures = new LinkedHashMap<>();
		figures.put("lag100_p50_ms", lag(100, Percentiles::p50));
		figures.put("lag100_p99_ms", lag(100, Percentiles::p99));
		figures.put("lag1000_p50_ms", lag(1000, Percentiles::p50));
		figures.put("lag1000_p99_ms", lag(1000, Percentiles::p99));
		figures.put("lag3000_p99_ms", lag(3000, Percentiles::p99));
		for (int rate : this.results.options.stockRates()) {
			LagResult stock = this.results.stockAt(rate);
			figures.put("stock_debezium_lag" + rate + "_p50_ms", (stock != null) ? stock.lagMs().p50() : Double.NaN);
		}
		figures.put(STOCK_KEPT_UP, stockKeptUp());
		figures.put("hit_vs_noop", (this.results.reads != null) ? this.results.reads.hitVsNoop() : Double.NaN);
		figures.put("miss_vs_dbonly", (this.results.reads != null) ? this.results.reads.missVsDbOnly() : Double.NaN);
		figures.put("hit_vs_anonymous_noop",
				(this.results.reads != null) ? this.results.reads.hitVsAnonymousNoop() : Double.NaN);
		figures.put("auth_noop_cost", (this.results.reads != null) ? this.results.reads.authNoopCost() : Double.NaN);
		figures.put("replay_events_per_s", (this.results.replay != null) ? this.results.replay.eventsPerS() : Double.NaN);
		figures.put("bulk_invalidations_per_s", (this.results.bulk != null) ? this.results.bulk.invalidationsPerS() : Double.NaN);
		figures.put("hotkey_db_reads", (this.results.hotKey != null) ? this.results.hotKey.dbReads() : Double.NaN);
		figures.put("connector_idle_cpu_cores", this.results.connectorIdleCores);
		FenceCost.Figures cost = this.results.fenceCost;
		figures.put("fence_hit_cost", (cost != null) ? cost.cost() : Double.NaN);
		AfterReads.Figures after = this.results.afterReads;
		figures.put("after_read_p50_ms", (after != null) ? after.afterMs().p50() : Double.NaN);
		figures.put("after_read_p99_ms", (after != null) ? after.afterMs().p99() : Double.NaN);
		figures.put("plain_read_p50_ms", (after != null) ? after.plainMs().p50() : Double.NaN);
		figures.put("plain_read_p99_ms", (after != null) ? after.plainMs().p99() : Double.NaN);
		PausedStaleness.Figures paused = this.results.paused;
		figures.put("paused_staleness_p50_ms", (paused != null) ? paused.stalenessMs().p50() : Double.NaN);
		figures.put("paused_staleness_max_ms", (paused != null) ? paused.stalenessMs().max() : Double.NaN);
		figures.put("connector_us_per_event", usPerEvent(3000, "cdc-connector"));
		figures.put("invalidator_us_per_event", usPerEvent(3000, "invalidator"));
		figures.put("broker_us_per_event", usPerEvent(3000, "kafka"));
		figures.put("cold_start_s", this.results.coldStartSeconds);
		InspectorCost.Figures inspector = this.results.inspectorCost;
		figures.put("inspector_on_us_per_event", (inspector != null) ? inspector.onUsPerEvent() : Double.NaN);
		figures.put("inspector_off_us_per_event", (inspector != null) ? inspector.offUsPerEvent() : Double.NaN);
		figures.put("inspector_on_lag1000_p99_ms", (inspector != null) ? inspector.onLagP99Ms() : Double.NaN);
		figures.put("inspector_off_lag1000_p99_ms", (inspector != null) ? inspector.offLagP99Ms() : Double.NaN);
		LagResult cluster = this.results.clusterAt(1000);
		figures.put("cluster_lag1000_p50_ms", (cluster != null) ? cluster.lagMs().p50() : Double.NaN);
		figures.put("cluster_lag1000_p99_ms", (cluster != null) ? cluster.lagMs().p99() : Double.NaN);
		FailoverStaleness.Figures redis = this.results.redisFailover;
		figures.put("redis_failover_s", (redis != null) ? redis.recoveredS() : Double.NaN);
		figures.put("redis_failover_staleness_max_ms", (redis != null) ? redis.stalenessMs().max() : Double.NaN);
		FailoverStaleness.Figures broker = this.results.brokerLoss;
		figures.put("broker_loss_s", (broker != null) ? broker.recoveredS() : Double.NaN);
		figures.put("broker_loss_staleness_max_ms", (broker != null) ? broker.stalenessMs().max() : Double.NaN);
		return figures;
	}

	/** The numeric figures of the RESULT line. */
	private Map<String, Double> numbers() {
		Map<String, Double> numbers = new LinkedHashMap<>();
		headline().forEach((name, value) -> {
			if (value instanceof Double number) {
				numbers.put(name, number);
			}
		});
		return numbers;
	}

	/** The stock rates that kept up, joined with {@code +}; {@code none}; or NaN when the stock stack did not run. */
	String stockKeptUp() {
		if (this.results.stock.isEmpty()) {
			return "NaN";
		}
		List<String> rates = this.results.stock.stream().filter((step) -> fellBehind(step) == null)
			.map((step) -> Integer.toString(step.rate())).toList();
		return rates.isEmpty() ? "none" : String.join("+", rates);
	}

	/**
	 * Why the run failed, one line each; empty when every figure of the RESULT line was measured
	 * or not asked for. A scenario that could not run is a failure even if no figure of the RESULT
	 * line depends on it alone.
	 */
	List<String> failures() {
		List<String> failures = new ArrayList<>();
		this.results.missing.forEach((scenario, why) -> failures.add(scenario + ": " + why));
		unmeasured().forEach((figure, why) -> {
			if (!this.results.skipped.containsKey(scenarioOf(figure))) {
				failures.add(figure + "=NaN: " + why);
			}
		});
		return failures;
	}

	/** Every figure of the RESULT line that is NaN, with the reason. */
	Map<String, String> unmeasured() {
		Map<String, String> unmeasured = new LinkedHashMap<>();
		headline().forEach((figure, value) -> {
			if (!(value instanceof Double number ? Double.isFinite(number) : !value.equals("NaN"))) {
				String scenario = scenarioOf(figure);
				String why = this.results.skipped.getOrDefault(scenario, this.results.missing.get(scenario));
				unmeasured.put(figure, (why != null) ? why : "measured, but no finite value came out (see the run's output)");
			}
		});
		return unmeasured;
	}

	/** The scenario of {@link BenchResults#missing} and {@link BenchResults#skipped} a figure comes from. */
	private static String scenarioOf(String figure) {
		if (figure.startsWith("stock_")) {
			return "stock";
		}
		if (figure.startsWith("fence_")) {
			return "fence-cost";
		}
		if (figure.startsWith("after_read_") || figure.startsWith("plain_read_")) {
			return "after-reads";
		}
		if (figure.startsWith("paused_")) {
			return "paused-staleness";
		}
		if (figure.startsWith("bulk_")) {
			return "bulk";
		}
		if (figure.startsWith("inspector_")) {
			return "inspector-cost";
		}
		if (figure.startsWith("cluster_")) {
			return "cluster-lag";
		}
		if (figure.startsWith("redis_failover_")) {
			return "redis-failover";
		}
		if (figure.startsWith("broker_loss_")) {
			return "broker-loss";
		}
		return figure.startsWith("replay_") ? "replay" : "freshline";
	}

	String resultLine() {
		StringBuilder line = new StringBuilder("RESULT");
		headline().forEach((name, value) -> line.append(' ').append(name).append('=')
			.append((value instanceof Double number) ? format(name, number) : value));
		return line.toString();
	}

	static String format(String name, double value) {
		if (!Double.isFinite(value)) {
			return "NaN";
		}
		if (name.endsWith("_ms") || name.endsWith("_s") && !name.endsWith("_per_s")) {
			return String.format(Locale.ROOT, "%.1f", value);
		}
		if (name.startsWith("hit_") || name.startsWith("miss_")) {
			return String.format(Locale.ROOT, "%.2f", value);
		}
		if (name.endsWith("_cost")) {
			// a share, negative when the side without the cost happened to be slower (noise)
			return String.format(Locale.ROOT, "%.3f", value);
		}
		if (name.endsWith("_cores")) {
			return String.format(Locale.ROOT, "%.3f", value);
		}
		return String.format(Locale.ROOT, "%.0f", value);
	}

	/**
	 * CPU time {@code component} spent during the step at {@code rate} (its load and the wait for
	 * its last deletes) per update the writer committed in it, in µs. A component that had not
	 * caught up when the window closed did part of that work later, so its figure is then low.
	 */
	private double usPerEvent(int rate, String component) {
		LagResult step = this.results.lagAt(rate);
		if (step == null || step.updates() == 0) {
			return Double.NaN;
		}
		Double cores = this.results.cpuDuringSteps.getOrDefault(step.name(), Map.of()).get(component);
		Double seconds = this.results.cpuWindowSeconds.get(step.name());
		return (cores == null || seconds == null) ? Double.NaN : cores * seconds * 1_000_000 / step.updates();
	}

	private double lag(int rate, java.util.function.ToDoubleFunction<Percentiles> percentile) {
		LagResult step = this.results.lagAt(rate);
		return (step != null) ? percentile.applyAsDouble(step.lagMs()) : Double.NaN;
	}

	record Goal(String figure, String goal, String measured, String met) {
	}

	List<Goal> goals() {
		List<Goal> goals = new ArrayList<>();
		double p50 = lag(1000, Percentiles::p50);
		double p99 = lag(1000, Percentiles::p99);
		LagResult fast = this.results.lagAt(3000);
		goals.add(goal("lag at 1,000/s p50", "<= 10 ms", p50, p50 <= 10, "%.1f ms"));
		goals.add(goal("lag at 1,000/s p99", "<= 50 ms", p99, p99 <= 50, "%.1f ms"));
		goals.add(goal("lag at 3,000/s p99", "<= 150 ms", lag(3000, Percentiles::p99), lag(3000, Percentiles::p99) <= 150,
				"%.1f ms"));
		double growth = (fast != null) ? fast.backlog().inFlightGrowthPerS() : Double.NaN;
		// and the last delete follows the last update within the p99 goal
		goals.add(goal("backlog growth at 3,000/s (in flight, per s)", "none (≈ 0, drains within 150 ms)", growth,
				fast != null && fellBehind(fast) == null && fast.backlog().drainMs() <= 150, "%+.0f /s"));
		for (int rate : this.results.options.stockRates()) {
			goals.add(stockRatio(rate, this.results.lagAt(rate), this.results.stockAt(rate)));
		}
		Map<String, Double> figures = numbers();
		double connector3000 = usPerEvent(3000, "cdc-connector");
		double connector1000 = usPerEvent(1000, "cdc-connector");
		double invalidator3000 = usPerEvent(3000, "invalidator");
		goals.add(goal("connector CPU per change event at 3,000/s", "<= 60 µs", connector3000, connector3000 <= 60, "%.0f µs"));
		goals.add(goal("connector CPU per change event at 1,000/s", "<= 100 µs", connector1000, connector1000 <= 100,
				"%.0f µs"));
		goals.add(goal("invalidator CPU per change event at 3,000/s", "<= 30 µs", invalidator3000, invalidator3000 <= 30,
				"%.0f µs"));
		goals.add(goal("hit_vs_noop", ">= 0.8", figures.get("hit_vs_noop"), figures.get("hit_vs_noop") >= 0.8, "%.2f"));
		// the same goal against the no-op without a token: hit_vs_noop before the API checked tokens
		goals.add(goal("hit_vs_anonymous_noop", ">= 0.6", figures.get("hit_vs_anonymous_noop"),
				figures.get("hit_vs_anonymous_noop") >= 0.6, "%.2f"));
		goals.add(goal("miss_vs_dbonly", ">= 0.6", figures.get("miss_vs_dbonly"), figures.get("miss_vs_dbonly") >= 0.6,
				"%.2f"));
		goals.add(goal("replay", ">= 150,000 events/s", figures.get("replay_events_per_s"),
				figures.get("replay_events_per_s") >= 150_000, "%,.0f events/s"));
		// one invalidator process draining one big transaction, commit to the last key deleted
		BulkUpdate.Figures bulk = this.results.bulk;
		goals.add(goal(String.format(Locale.ROOT, "bulk invalidations (one UPDATE of %,d cached rows)",
				(bulk != null) ? bulk.rows() : this.results.options.bulkRows()), ">= 50,000 events/s",
				figures.get("bulk_invalidations_per_s"), figures.get("bulk_invalidations_per_s") >= 50_000, "%,.0f events/s"));
		// the fail-open reads beside it: Postgres reads the cache did not save, though not caused by the invalidation
		goals.add(goal("hot key Postgres reads", "<= 2", figures.get("hotkey_db_reads"), figures.get("hotkey_db_reads") <= 2,
				"%.0f" + ((this.results.hotKey != null) ? String.format(Locale.ROOT, " (and %.0f failed open on %.0f Redis errors)",
						this.results.hotKey.failOpenReads(), this.results.hotKey.redisErrors()) : "")));
		goals.add(goal("connector idle CPU", "<= 0.10 cores", this.results.connectorIdleCores,
				this.results.connectorIdleCores <= 0.10, "%.3f cores"));
		// the bench's own start of the stack from built jars, with the run's JVM flags (a quick run's
		// are C1 only: its start-up figure is not the one with steady-state speed kept)
		goals.add(goal("cold start of the stack (built)", "<= 25 s", this.results.coldStartSeconds,
				this.results.coldStartSeconds <= 25, "%.1f s"));
		goals.add(fenceCostGoal(figures.get("fence_hit_cost")));
		AfterReads.Figures after = this.results.afterReads;
		double older = (after != null) ? after.olderThanWritten() : Double.NaN;
		goals.add(goal("Freshline-After reads older than the write", "0", older, older == 0, "%.0f"));
		double paused = figures.get("paused_staleness_max_ms");
		double bound = Bench.MAX_STALENESS.toMillis() + FENCE_REFRESH_MS;
		goals.add(goal("staleness with the invalidator paused (max)",
				String.format(Locale.ROOT, "<= %.0f ms (max-staleness + one refresh)", bound), paused, paused <= bound,
				"%.0f ms"));
		return goals;
	}

	/**
	 * Stock Debezium's p50 over Freshline's at {@code rate}, only when both steps kept up: a step
	 * that fell behind measures its own queue (a backlog's wait grows with the step's length), not
	 * the poll interval the ratio is about.
	 */
	private static Goal stockRatio(int rate, @Nullable LagResult freshline, @Nullable LagResult stock) {
		String figure = String.format(Locale.ROOT, "stock Debezium p50 / Freshline p50 at %,d/s", rate);
		if (freshline == null || stock == null) {
			return new Goal(figure, ">= 30x", "NaN", "not measured");
		}
		String why = whyNotComparable(freshline, stock);
		if (why != null) {
			return new Goal(figure, ">= 30x", "NaN: " + why, "not comparable");
		}
		double ratio = stock.lagMs().p50() / freshline.lagMs().p50();
		return goal(figure, ">= 30x", ratio, ratio >= 30, "%.0fx");
	}

	/** Why two steps' p50s cannot be divided (which fell behind, by how much, where its time went), or null. */
	private static @Nullable String whyNotComparable(LagResult freshline, LagResult stock) {
		List<String> reasons = new ArrayList<>();
		for (LagResult run : List.of(stock, freshline)) {
			String why = fellBehind(run);
			if (why != null) {
				reasons.add(run.name() + " fell behind (" + why + ")" + whereItsTimeWent(run));
			}
		}
		return reasons.isEmpty() ? null : String.join("; ", reasons);
	}

	/**
	 * Why a lag step did not keep up with its rate, or null if it did. It kept up when all four hold:
	 * <ol>
	 * <li>every delete was seen (an unseen one counts with a lower bound of its lag);</li>
	 * <li>the lag did not trend upwards: the least-squares slope of every update's lag over its
	 * commit time is at most 50 ms per second, what a queue growing by 5 % of the rate each second
	 * adds. Not the in-flight count's slope: a 500 ms poll swings it by half a second of writes,
	 * and a quick run's four samples of a steady stock step at 100/s, [17, 14, 64, 60], gave +18/s
	 * against a limit of 5/s;</li>
	 * <li>when the writer stopped, at most two seconds of writes were still in flight: a pipeline
	 * that keeps up holds rate x its latency (Little's law), and with a 500 ms poll, whose lag
	 * peaks near one second, up to about one second of writes (94 of them at 100/s in a quick
	 * run), while a queue passes two within seconds;</li>
	 * <li>the last delete came within 2 s of the last update: what was queued at the end cleared in
	 * a few poll intervals, not in the time a backlog takes to drain.</li>
	 * </ol>
	 * The trend alone misses a queue that was already there when the step began; the end alone one
	 * that grew and then shrank.
	 */
	static @Nullable String fellBehind(LagResult step) {
		if (step.unobserved() > 0) {
			return String.format(Locale.ROOT, "%d of %d deletes not seen", step.unobserved(), step.updates());
		}
		LagResult.BacklogFigures backlog = step.backlog();
		double growth = backlog.lagGrowthMsPerS();
		if (!Double.isFinite(growth)) {
			return "too few updates to tell";
		}
		if (growth > KEEPING_UP_MS_PER_S) {
			return String.format(Locale.ROOT, "its lag grew %+.0f ms per second of the step, more than %.0f", growth,
					KEEPING_UP_MS_PER_S);
		}
		double queued = QUEUED_AT_END_S * step.rate();
		if (backlog.inFlightAtLoadEnd() > queued) {
			return String.format(Locale.ROOT, "%d in flight when the writer stopped, more than %.0f s of writes (%.0f)",
					backlog.inFlightAtLoadEnd(), QUEUED_AT_END_S, queued);
		}
		if (backlog.drainMs() > DRAIN_MS) {
			return String.format(Locale.ROOT, "the last delete came %.0f ms after the last update, more than %.0f ms",
					backlog.drainMs(), DRAIN_MS);
		}
		return null;
	}

	/** Each stock rate beside Freshline's: both steps' p50 and p99, whether each kept up, and the ratio or why there is none. */
	private List<Map<String, Object>> stockComparison() {
		List<Map<String, Object>> rows = new ArrayList<>();
		for (LagResult stock : this.results.stock) {
			LagResult freshline = this.results.lagAt(stock.rate());
			Map<String, Object> row = new LinkedHashMap<>();
			row.put("rate", stock.rate());
			row.put("stock_p50_ms", stock.lagMs().p50());
			row.put("stock_p99_ms", stock.lagMs().p99());
			String stockBehind = fellBehind(stock);
			row.put("stock_kept_up", stockBehind == null);
			row.put("stock_fell_behind", stockBehind);
			row.put("freshline_p50_ms", (freshline != null) ? freshline.lagMs().p50() : Double.NaN);
			row.put("freshline_p99_ms", (freshline != null) ? freshline.lagMs().p99() : Double.NaN);
			String freshlineBehind = (freshline != null) ? fellBehind(freshline) : "not measured";
			row.put("freshline_kept_up", freshlineBehind == null);
			row.put("freshline_fell_behind", freshlineBehind);
			String why = (freshline != null) ? whyNotComparable(freshline, stock) : "Freshline's step was not measured";
			row.put("p50_ratio", (why == null) ? stock.lagMs().p50() / freshline.lagMs().p50() : Double.NaN);
			row.put("no_ratio_because", why);
			rows.add(row);
		}
		return rows;
	}

	/** The bulk update's figures with the per-event CPU of the pipeline's processes, for latest.json. */
	private @Nullable Map<String, Object> bulk() {
		BulkUpdate.Figures bulk = this.results.bulk;
		if (bulk == null) {
			return null;
		}
		Map<String, Object> figures = new LinkedHashMap<>();
		figures.put("figures", bulk);
		figures.put("invalidations_per_s", bulk.invalidationsPerS());
		figures.put("drain_per_s_first_to_last_delete", bulk.drainPerS());
		for (String component : List.of("invalidator", "cdc-connector", "kafka", "redis", "postgres")) {
			figures.put(component + "_us_per_event", bulk.usPerEvent(component));
		}
		return figures;
	}

	private static String whereItsTimeWent(LagResult step) {
		return step.hopsMs().entrySet().stream().filter((hop) -> Double.isFinite(hop.getValue().p50()))
			.max(Comparator.comparingDouble((hop) -> hop.getValue().p50()))
			.map((hop) -> String.format(Locale.ROOT, ": %.0f ms of its %.0f ms p50 is %s", hop.getValue().p50(),
					step.lagMs().p50(), hop.getKey()))
			.orElse("");
	}

	/**
	 * The fence's cost, met below 5 %; but a figure below -5 % says the fence-off copy was slower by
	 * more than the bound itself, so the two copies did not compare and the figure proves nothing.
	 */
	private static Goal fenceCostGoal(double cost) {
		Goal goal = goal("fence cost on hit throughput", "< 5 %", cost * 100, cost < 0.05, "%.1f %%");
		if (Double.isFinite(cost) && cost < -FENCE_COST_BOUND) {
			return new Goal(goal.figure(), goal.goal(), goal.measured(),
					"not comparable: the copy without the fence was the slower one by more than the bound");
		}
		return goal;
	}

	private static Goal goal(String figure, String goal, double value, boolean met, String format) {
		if (!Double.isFinite(value)) {
			return new Goal(figure, goal, "NaN", "not measured");
		}
		return new Goal(figure, goal, String.format(Locale.ROOT, format, value), met ? "yes" : "**no**");
	}

	/** For every lag step: the hop that took the most time at p99, and the CPU the machine had left. */
	private List<String> limits() {
		List<String> limits = new ArrayList<>();
		List<LagResult> steps = new ArrayList<>(this.results.lag);
		steps.addAll(this.results.stock);
		for (LagResult step : steps) {
			var worst = step.hopsMs().entrySet().stream().filter((hop) -> Double.isFinite(hop.getValue().p99()))
				.max(Comparator.comparingDouble((hop) -> hop.getValue().p99()));
			Map<String, Double> cpu = this.results.cpuDuringSteps.getOrDefault(step.name(), Map.of());
			double used = cpu.getOrDefault(CpuUse.MACHINE, Double.NaN);
			String busiest = cpu.entrySet().stream().filter((entry) -> !entry.getKey().equals(CpuUse.MACHINE))
				.max(Map.Entry.comparingByValue())
				.map((entry) -> String.format(Locale.ROOT, "%s %.2f", entry.getKey(), entry.getValue())).orElse("n/a");
			limits.add(String.format(Locale.ROOT,
					"%s: slowest hop at p99 is %s; the machine was busy %.2f of %d cores (busiest component: %s cores); the writer sent p99 %.1f ms late",
					step.name(), worst.map((hop) -> hop.getKey() + String.format(Locale.ROOT, " (p50 %.1f ms, p99 %.1f ms)",
							hop.getValue().p50(), hop.getValue().p99())).orElse("unknown (no event stamps)"),
					used, this.results.machine.cores(), busiest, step.sendDelayMs().p99()));
		}
		return limits;
	}

	/** Stock Debezium at each of its rates beside Freshline at the same rate, the ratio only where both kept up. */
	private void stockSection(StringBuilder md) {
		md.append("\n### Stock Debezium beside Freshline\n\n");
		md.append("The second stack differs in the connector's poll interval only (500 ms, Debezium's default, instead of 10 ms) and runs the same steps at Freshline's lower rates. A step that fell behind measures its own queue, so the p50 ratio is given only where both steps kept up (the table above); otherwise the reason is given instead. `stock_kept_up` in the RESULT line lists the stock rates that kept up.\n\n");
		md.append("| rate/s | stock p50 ms | stock p99 ms | stock kept up | Freshline p50 ms | Freshline p99 ms | Freshline kept up | stock p50 / Freshline p50 |\n| --- | --- | --- | --- | --- | --- | --- | --- |\n");
		for (Map<String, Object> row : stockComparison()) {
			double ratio = (Double) row.get("p50_ratio");
			md.append(String.format(Locale.ROOT, "| %d | %.1f | %.1f | %s | %.1f | %.1f | %s | %s |%n", row.get("rate"),
					row.get("stock_p50_ms"), row.get("stock_p99_ms"), keptUp(row, "stock"), row.get("freshline_p50_ms"),
					row.get("freshline_p99_ms"), keptUp(row, "freshline"),
					Double.isFinite(ratio) ? String.format(Locale.ROOT, "**%.0fx**", ratio) : "none: " + row.get("no_ratio_because")));
		}
	}

	private static String keptUp(Map<String, Object> row, String stack) {
		return Boolean.TRUE.equals(row.get(stack + "_kept_up")) ? "yes" : "**no** (" + row.get(stack + "_fell_behind") + ")";
	}

	/** The bulk update: throughput, when the first and last deletes came, the drain's progress and CPU per event. */
	private void bulkSection(StringBuilder md) {
		BulkUpdate.Figures bulk = this.results.bulk;
		md.append("\n## Bulk update: invalidator throughput\n\n");
		if (bulk == null) {
			md.append("Not measured.\n");
			return;
		}
		md.append(String.format(Locale.ROOT,
				"Patients %d-%d (%,d rows; %,d inserted for it, their invalidations applied within %.1f s) each get an entry written straight into Redis in the fill's stored form (check: %s); then one statement, `UPDATE patient SET ward = ward WHERE id BETWEEN %d AND %d`, changes all of them in one transaction (%.0f ms). From its commit, every key's delete is seen through keyspace notifications (the floor's `set`, in the same script as the delete): the first after **%.0f ms**, the last after **%.0f ms**, so `bulk_invalidations_per_s` = %,d / %.3f s = **%,.0f events/s** (from the first delete to the last: %,.0f/s). Keys still cached afterwards (pipelined EXISTS): %d.%n%n",
				bulk.firstId(), bulk.lastId(), bulk.rows(), bulk.inserted(), bulk.insertsAppliedS(), bulk.layoutCheck(),
				bulk.firstId(), bulk.lastId(), bulk.statementMs(), bulk.firstDeleteMs(), bulk.lastDeleteMs(), bulk.rows(),
				bulk.lastDeleteMs() / 1000, bulk.invalidationsPerS(), bulk.drainPerS(), bulk.keysLeft()));
		// which side held the backlog: keys left while the connector was still producing wait for
		// the connector, the ones after it for the invalidator
		md.append("The drain every 500 ms after the commit (records the connector produced to the topic since just before the statement; the invalidator group's Kafka lag):\n\n");
		md.append("| after s | keys left | records produced | invalidator Kafka lag |\n| --- | --- | --- | --- |\n");
		bulk.samples().forEach((sample) -> md.append(String.format(Locale.ROOT, "| %.1f | %,d | %,d | %,d |%n", sample.seconds(),
				sample.keysLeft(), sample.produced(), sample.invalidatorLag())));
		md.append(String.format(Locale.ROOT,
				"%nCPU from just before the statement to the last delete (%.1f s; the machine busy %.2f of %d cores), per updated row: invalidator **%.1f µs**, cdc-connector %.1f µs, Kafka broker %.1f µs, Redis %.1f µs, Postgres %.1f µs. All components (cores): %s.%n",
				bulk.cpuSeconds(), bulk.cpuCores().getOrDefault(CpuUse.MACHINE, Double.NaN), this.results.machine.cores(),
				bulk.usPerEvent("invalidator"), bulk.usPerEvent("cdc-connector"), bulk.usPerEvent("kafka"), bulk.usPerEvent("redis"),
				bulk.usPerEvent("postgres"), bulk.cpuCores().entrySet().stream()
					.map((entry) -> String.format(Locale.ROOT, "%s %.2f", entry.getKey(), entry.getValue())).toList()));
	}

	/** The fence's three figures: its cost on hits, Freshline-After under load, staleness with the invalidator paused. */
	private void freshnessFence(StringBuilder md) {
		BenchResults r = this.results;
		md.append("\n## Freshness fence\n\n");
		md.append(String.format(Locale.ROOT,
				"The stack runs with the connector's watermark markers on (`CDC_MARKERS=true`) and the fence at max-staleness %d ms, fence-wait 50 ms, refresh 10 ms (the defaults). `Freshline-Cache` counts are the API's own answers (hit, miss, bypass).%n",
				Bench.MAX_STALENESS.toMillis()));
		md.append("\n### Hit throughput, fence on vs off\n\n");
		FenceCost.Figures cost = r.fenceCost;
		if (cost != null) {
			md.append(String.format(Locale.ROOT,
					"Two extra API instances started together beside the stack run api-1's command line and environment, `%s` with `FRESHLINE_FENCE=true` and `%s` with `false` (the fence is read once at start-up; two copies of one age share the stack, its Postgres, Redis and machine load). Both first served %d hits each, in alternating slices (a warm-up of equal time gave the faster copy more reads and made it faster still). Then the hit scenario (wrk, %d connections, `GET /patients/{id}`, ids 1-1000 cached) runs on the fence-on copy and the fence-off copy in alternating windows of %.0f s (on-off, then off-on). `fence_hit_cost` = 1 - on/off over the summed rounds = **%.3f** (%.1f %%; the rounds ranged from %+.3f to %+.3f: between two JVMs and on a shared machine the noise is of that order, and it can make the figure negative).%n%n",
					FenceCost.FENCE_ON, FenceCost.FENCE_OFF, cost.warmUpReads(), r.options.readConcurrency(),
					r.options.fenceWindow().toMillis() / 1000.0, cost.cost(), cost.cost() * 100, cost.lowestRoundCost(),
					cost.highestRoundCost()));
			md.append("| round | fence | reads/s | p50 ms | p99 ms | errors |\n| --- | --- | --- | --- | --- | --- |\n");
			for (FenceCost.Window window : cost.windows()) {
				md.append(String.format(Locale.ROOT, "| %d | %s | %.0f | %.2f | %.2f | %d |%n", window.round(), window.fence(),
						window.readsPerS(), window.latencyMs().p50(), window.latencyMs().p99(), window.errors()));
			}
			md.append(String.format(Locale.ROOT, "%nPatient reads over the rounds by how each copy served them (its own `freshline.cache.requests`): fence on %s, fence off %s.%n",
					cost.onOutcomes(), cost.offOutcomes()));
		}
		md.append("\n### Freshline-After reads at 1,000 writes/s\n\n");
		AfterReads.Figures after = r.afterReads;
		if (after != null) {
			LagResult lag = after.lag();
			md.append(String.format(Locale.ROOT,
					"While the open-loop writer updates patients at %d/s (raw SQL, as in the lag steps), two samplers every 20 ms each read a patient through api-1 (caching it), update it with SQL, run `SELECT pg_current_wal_insert_lsn()` after the commit, and read it on api-2 with `Freshline-After` set to that position; then read another patient on api-2 without the header. Both latencies are one HTTP round trip, taken in the same moments.%n%n",
					after.rate()));
			md.append("| read | samples | p50 ms | p99 ms | p99.9 ms | max ms | Freshline-Cache |\n| --- | --- | --- | --- | --- | --- | --- |\n");
			md.append(String.format(Locale.ROOT, "| with Freshline-After | %d | %.1f | %.1f | %.1f | %.1f | %s |%n", after.afterMs().count(),
					after.afterMs().p50(), after.afterMs().p99(), after.afterMs().p999(), after.afterMs().max(), after.afterOutcomes()));
			md.append(String.format(Locale.ROOT, "| plain | %d | %.1f | %.1f | %.1f | %.1f | %s |%n", after.plainMs().count(),
					after.plainMs().p50(), after.plainMs().p99(), after.plainMs().p999(), after.plainMs().max(), after.plainOutcomes()));
			md.append(String.format(Locale.ROOT,
					"%nAdded latency: p50 %+.1f ms, p99 %+.1f ms. Reads with the header that returned a version older than the sampler wrote: **%d**; failed reads: %d. A read waits for the watermark to cover its position for up to the fence-wait (50 ms) and then bypasses, so its latency follows the pipeline's lag in the same window: %s.%n",
					after.afterMs().p50() - after.plainMs().p50(), after.afterMs().p99() - after.plainMs().p99(),
					after.olderThanWritten(), after.failedReads(),
					(lag != null) ? String.format(Locale.ROOT, "commit -> delete p50 %.1f ms, p99 %.1f ms (%d of %d deletes seen)",
							lag.lagMs().p50(), lag.lagMs().p99(), lag.observed(), lag.updates()) : "not measured"));
		}
		md.append("\n### Staleness while the invalidator is paused\n\n");
		PausedStaleness.Figures paused = r.paused;
		if (paused != null) {
			md.append(String.format(Locale.ROOT,
					"The invalidator is stopped with SIGSTOP; %d patients cached on both instances are updated with SQL, evenly over %d ms (max-staleness + 1 s) from the pause; each is read on api-1 and api-2 back to back (a few ms apart) until both serve the new version. Staleness = commit -> both served it: p50 **%.0f ms**, max **%.0f ms** (%d not visible within max-staleness + 8 s, counted with that wait). The first `bypass` answer came %.0f ms after SIGSTOP: updates committed before it wait for it, later ones are visible at once, so the max is the bound (max-staleness %d ms + one 10 ms refresh, less the watermark's age at the pause) and the p50 depends on the pace. Negative control: the fence-off instance still served the old version of %d of %d patients. After SIGCONT the fence stopped bypassing in %.0f ms.%n",
					paused.updates(), paused.maxStaleness().plusSeconds(1).toMillis(), paused.stalenessMs().p50(),
					paused.stalenessMs().max(), paused.notVisible(), paused.fenceEngagedMs(), paused.maxStaleness().toMillis(),
					paused.fenceOffStillOld(), paused.updates(), paused.recoveredMs()));
		}
	}

	String markdown() {
		BenchResults r = this.results;
		StringBuilder md = new StringBuilder();
		md.append("# Freshline benchmark\n\n");
		md.append("`").append(r.command).append("` finished ").append(this.finished).append(r.options.quick()
				? " (**quick run**: short steps and few samples; the figures are rough, the harness is what it proves)" : "")
			.append(".\n\n");
		md.append("Machine: ").append(r.machine.line()).append(". Versions: ").append(r.versions).append(".\n");
		md.append("Everything runs on this one machine: Postgres, Kafka, Redis, four service JVMs and the load generator share its cores.\n\n");
		md.append("```\n").append(resultLine()).append("\n```\n\n");
		md.append("## Goals\n\n| figure | goal | measured | met |\n| --- | --- | --- | --- |\n");
		for (Goal goal : goals()) {
			md.append("| ").append(goal.figure()).append(" | ").append(goal.goal()).append(" | ").append(goal.measured())
				.append(" | ").append(goal.met()).append(" |\n");
		}
		md.append("\n## Invalidation lag: commit -> key deleted\n\n");
		md.append("Raw SQL `UPDATE patient SET ward = ward WHERE id = ?` (bumps `version`), open loop over 16 JDBC connections: update i is due at start + i/rate however late the previous ones are; lag runs from the commit returning to the invalidator's script deleting `freshline:patient:{id}`, seen through Redis keyspace notifications (the `set` of the key's floor, raised in the same atomic script as the delete, so it is published whether or not the entry was cached). `sent late` is how far behind schedule the writer sent (the open loop's own health). An update whose delete was not seen (`deletes seen` below `updates`) is counted in the percentiles with the lag until the bench stopped waiting for it, a lower bound. See `lag.svg`.\n\n");
		md.append("| run | rate/s | achieved/s | updates | deletes seen | p50 ms | p99 ms | p99.9 ms | max ms | sent late p99 ms |\n| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
		List<LagResult> steps = new ArrayList<>(r.lag);
		steps.addAll(r.stock);
		for (LagResult step : steps) {
			md.append(String.format(Locale.ROOT, "| %s | %d | %.0f | %d | %d | %.1f | %.1f | %.1f | %.1f | %.1f |%n", step.name(),
					step.rate(), step.achievedRate(), step.updates(), step.observed(), step.lagMs().p50(), step.lagMs().p99(),
					step.lagMs().p999(), step.lagMs().max(), step.sendDelayMs().p99()));
		}
		md.append("\n### Per hop (from the timestamps the events carry, milliseconds: p50 / p99)\n\n");
		md.append("`commit_to_debezium` = `ts_ms - source.ts_ms` (WAL decoding until Debezium built the event); `debezium_to_kafka` = record CreateTime - `ts_ms` (Debezium's queue and poll interval until our producer sent it); `kafka_to_consumer` = when the bench's own consumer (no group) received it - CreateTime (broker delivery, what the invalidator also waits for); `kafka_to_redis_delete` = delete seen in Redis - CreateTime (delivery + the invalidator + Redis). Source timestamps have millisecond resolution.\n\n");
		md.append("| run | commit_to_debezium | debezium_to_kafka | kafka_to_consumer | kafka_to_redis_delete |\n| --- | --- | --- | --- | --- |\n");
		for (LagResult step : steps) {
			md.append("| ").append(step.name());
			step.hopsMs().values().forEach((hop) -> md.append(String.format(Locale.ROOT, " | %.1f / %.1f", hop.p50(), hop.p99())));
			md.append(" |\n");
		}
		md.append("\n### Backlog\n\n`in flight` = committed updates whose delete was not yet seen, sampled every second; its growth is the least-squares slope over the step (≈ 0 when the pipeline keeps up). The invalidator group's Kafka lag is sampled at the same moments (offsets are committed per batch, so a few records is normal). `drain` = last delete after the last update. `lag growth` = the least-squares slope of every update's lag over its commit time. A step **kept up** when every delete was seen, its lag grew by at most 50 ms per second (what a queue growing by 5 % of the rate each second adds), at most two seconds of writes were in flight when the writer stopped, and the drain took at most 2 s.\n\n");
		md.append("| run | in-flight samples | growth /s | in flight at end | invalidator Kafka lag samples | drain ms | lag growth ms/s | kept up |\n| --- | --- | --- | --- | --- | --- | --- | --- |\n");
		for (LagResult step : steps) {
			LagResult.BacklogFigures backlog = step.backlog();
			String behind = fellBehind(step);
			md.append(String.format(Locale.ROOT, "| %s | %s | %+.1f | %d | %s | %.0f | %+.1f | %s |%n", step.name(),
					backlog.inFlightSamples(), backlog.inFlightGrowthPerS(), backlog.inFlightAtLoadEnd(),
					backlog.invalidatorKafkaLagSamples(), backlog.drainMs(), backlog.lagGrowthMsPerS(),
					(behind == null) ? "yes" : "**no**: " + behind));
		}
		stockSection(md);
		md.append("\n### CPU per component during each step (cores)\n\n`machine` is every process on the machine (from /proc/stat), including work that is not ours: the difference to the sum of the components is what else ran. `postgres` is the postmaster, its live backends and the backends it reaped during the step (its cutime + cstime): the bench's writers disconnect before the sample.\n\n");
		r.cpuDuringSteps.forEach((step, cpu) -> {
			md.append("- ").append(step).append(": ");
			List<String> parts = new ArrayList<>();
			cpu.forEach((name, cores) -> parts.add(String.format(Locale.ROOT, "%s %.2f", name, cores)));
			md.append(String.join(", ", parts)).append('\n');
		});
		md.append("\n## Time to visible\n\n");
		if (r.visible != null) {
			md.append(String.format(Locale.ROOT,
					"A raw SQL update commits; one client reads the patient on api-2 back to back (the entry cached through api-1 just before). Commit -> first response with the new version over %d samples: p50 %.1f ms, p99 %.1f ms, max %.1f ms (%d not visible within 10 s). Resolution: one read round trip.%n",
					r.visible.visibleMs().count(), r.visible.visibleMs().p50(), r.visible.visibleMs().p99(),
					r.visible.visibleMs().max(), r.visible.timedOut()));
		}
		md.append("\n## API reads per instance\n\n");
		if (r.reads != null) {
			md.append(String.format(Locale.ROOT,
					"wrk (one thread, %d HTTP/1.1 keep-alive connections, closed loop) per scenario, one instance at a time, warm-up %d s, measured %d s. `hit`: `GET /patients/{id}`, ids 1-1000, every entry cached; `miss`: `GET /patients/{id}` with every cached patient deleted first and each id read once, so every read is a miss; `noop`: `GET /bench/noop`; `anonymous-noop`: `GET /bench/anonymous-noop`, the same endpoint sent without a token and let through without the token check, measured right after `noop`; `db-only`: `GET /bench/db/patients/{id}` (same JSON, Postgres only). Ratios are the mean over both instances. A failed read (not 200, or no answer) is an error, not a read.%n%n",
					r.options.readConcurrency(), r.options.readWarmUp().toSeconds(), r.options.readWindow().toSeconds()));
			md.append("| instance | scenario | reads/s | p50 ms | p99 ms | p99.9 ms | errors |\n| --- | --- | --- | --- | --- | --- | --- |\n");
			for (ReadResult read : r.reads.results()) {
				md.append(String.format(Locale.ROOT, "| %s | %s | %.0f | %.2f | %.2f | %.2f | %d |%n", read.instance(),
						read.scenario(), read.readsPerS(), read.latencyMs().p50(), read.latencyMs().p99(), read.latencyMs().p999(),
						read.errors()));
			}
			md.append(String.format(Locale.ROOT, "%nhit_vs_noop = %.2f, miss_vs_dbonly = %.2f. Counter check (API metrics): %s.%n",
					r.reads.hitVsNoop(), r.reads.missVsDbOnly(), String.join("; ", r.reads.counterChecks())));
			if (!r.reads.loadCpu().isEmpty()) {
				// the generator must cost far less than what it loads, or the ratios measure it
				md.append("\nThe load generator's CPU beside the instance's, over each measured window:\n\n"
						+ "| instance | scenario | wrk cores | API instance cores | machine cores |\n| --- | --- | --- | --- | --- |\n");
				for (ApiReads.LoadCpu cpu : r.reads.loadCpu()) {
					md.append(String.format(Locale.ROOT, "| %s | %s | %.2f | %.2f | %.2f |%n", cpu.instance(), cpu.scenario(),
							cpu.wrkCores(), cpu.apiCores(), cpu.machineCores()));
				}
			}
			md.append(String.format(Locale.ROOT,
					"%nWhat the token check costs (every request but `anonymous-noop` carries the reader token, an RS256 JWT the API verifies once and then looks up): `auth_noop_cost` = 1 - noop/anonymous-noop = **%.3f** of the bare web stack's throughput; `hit_vs_anonymous_noop` = hit/anonymous-noop = **%.2f**: the hit, which pays the check, over the baseline `hit_vs_noop` had before the API checked tokens (when neither side paid it), so its drop from that figure is what the check costs a hit. `hit_vs_noop` compares two requests that both pay it.%n",
					r.reads.authNoopCost(), r.reads.hitVsAnonymousNoop()));
		}
		md.append("\n## Hot key\n\n");
		if (r.hotKey != null) {
			md.append(String.format(Locale.ROOT,
					"%d clients (half on each instance) read patient 2999 in a loop (%d reads in all, %d failed and not counted); one SQL update invalidates it. Postgres reads it caused (rise of `freshline.cache.loads` with cause `miss` or `lease-timeout` over both instances): **%.0f**. Apart from them, over the same window: %.0f reads failed open to Postgres (cause `fail-open`) on %.0f Redis errors. Every client saw the new version %.1f ms after the commit.%n",
					r.hotKey.clients(), r.hotKey.reads(), r.hotKey.failedReads(), r.hotKey.dbReads(), r.hotKey.failOpenReads(),
					r.hotKey.redisErrors(), r.hotKey.allSawItMs()));
		}
		freshnessFence(md);
		md.append("\n## Idle cost\n\n");
		md.append(String.format(Locale.ROOT,
				"cdc-connector CPU with no writes (utime + stime from /proc over %d s): **%.3f cores** with Freshline's 10 ms poll; %.3f cores with stock 500 ms poll.%n",
				r.options.idle().toSeconds(), r.connectorIdleCores, r.stockConnectorIdleCores));
		md.append("\n## Replay\n\n");
		if (r.replay != null) {
			md.append(String.format(Locale.ROOT, "`%s` (ops-cli, its own Kafka and Redis, run after the stacks stopped): **%,.0f events/s** applied by one process. Output in `replay.log`.%n",
					r.replay.note(), r.replay.eventsPerS()));
		}
		bulkSection(md);
		inspectorSection(md);
		clusterSection(md);
		md.append("\n## Where the time goes, step by step (what limits a missed goal)\n\n");
		limits().forEach((limit) -> md.append("- ").append(limit).append('\n'));
		r.profiles.forEach((profile) -> md.append("\n").append(profile).append('\n'));
		if (!r.missing.isEmpty() || !unmeasured().isEmpty()) {
			md.append("\n## Not measured (NaN)\n\n");
			r.missing.forEach((what, why) -> md.append("- ").append(what).append(": ").append(why).append('\n'));
			unmeasured().forEach((figure, why) -> md.append("- `").append(figure).append("`: ").append(why).append('\n'));
		}
		md.append("\n## Configuration\n\n");
		r.configuration.forEach((component, config) -> md.append("- ").append(component).append(": ").append(config).append('\n'));
		return md.toString();
	}

	/** The cluster stack: its lag beside the single stack's, and staleness through a Redis failover and a broker loss. */
	private void clusterSection(StringBuilder md) {
		BenchResults r = this.results;
		if (r.cluster.isEmpty() && r.redisFailover == null && r.brokerLoss == null) {
			return;
		}
		md.append("\n## Beyond one machine: Redis Cluster and three Kafka brokers\n\n");
		md.append(String.format(Locale.ROOT,
				"The same stack started a third time with `FRESHLINE_LOCAL_CLUSTER=true` (up in %.1f s): a Redis Cluster of three primaries, each with a replica, and three Kafka brokers, the change topics with three replicas and `min.insync.replicas` 2; the same services and JVM flags. Every node runs on this machine, so the cluster pays for replication on the same two cores.%n%n",
				r.clusterColdStartSeconds));
		if (!r.cluster.isEmpty()) {
			md.append("| updates/s | stack | p50 ms | p99 ms | p99.9 ms | max ms | deletes seen | kept up |\n| --- | --- | --- | --- | --- | --- | --- | --- |\n");
			List<String> steps = new ArrayList<>();
			for (LagResult cluster : r.cluster) {
				LagResult single = r.lagAt(cluster.rate());
				for (LagResult step : java.util.Arrays.asList(single, cluster)) {
					if (step != null) {
						String fell = fellBehind(step);
						md.append(String.format(Locale.ROOT, "| %,d | %s | %.1f | %.1f | %.1f | %.1f | %d of %d | %s |%n",
								step.rate(), (step == cluster) ? "Redis Cluster, three brokers" : "one Redis, one broker",
								step.lagMs().p50(), step.lagMs().p99(), step.lagMs().p999(), step.lagMs().max(), step.observed(),
								step.updates(), (fell == null) ? "yes" : "no: " + fell));
						steps.add(step.name());
					}
				}
			}
			md.append("\nCPU per process over each step (cores; every node of the cluster on its own):\n\n");
			for (String step : steps) {
				Map<String, Double> cpu = r.cpuDuringSteps.get(step);
				if (cpu != null) {
					List<String> parts = new ArrayList<>();
					cpu.forEach((name, cores) -> parts.add(String.format(Locale.ROOT, "%s %.2f", name, cores)));
					md.append("- ").append(step).append(": ").append(String.join(", ", parts)).append('\n');
				}
			}
		}
		md.append(String.format(Locale.ROOT,
				"%nEach failover: %d SQL updates a second to patients cached on both API instances, over %d s, the fault %d s in; an update's staleness is from its commit to both instances serving it (a poller per update, reading every 20 ms). `recovered` is the fault's own repair: the replica promoted, or another broker leading the partition.%n%n",
				10, r.options.failoverWindow().toSeconds(), 2));
		md.append("| fault | what was killed | recovered s | updates | staleness p50 ms | p99 ms | max ms | never visible | reads not 200 |\n| --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
		for (FailoverStaleness.Figures failover : java.util.Arrays.asList(r.redisFailover, r.brokerLoss)) {
			if (failover != null) {
				md.append(String.format(Locale.ROOT, "| %s | %s | %.1f | %d | %.0f | %.0f | %.0f | %d | %d |%n", failover.fault(),
						failover.injected(), failover.recoveredS(), failover.updates(), failover.stalenessMs().p50(),
						failover.stalenessMs().p99(), failover.stalenessMs().max(), failover.notVisible(),
						failover.apiErrors()));
			}
		}
	}

	/** The consistency inspector's cost: one invalidator, its inspector on and paused in alternating windows. */
	private void inspectorSection(StringBuilder md) {
		InspectorCost.Figures cost = this.results.inspectorCost;
		if (cost == null) {
			return;
		}
		md.append("\n## Consistency inspector's cost\n\n");
		md.append(String.format(Locale.ROOT,
				"The lag step's writer at %,d updates/s, in windows of a lag step's length (each then waits, on both sides alike, until the inspector's last read-backs are done: their CPU belongs to the window), with the stack's own invalidator reading back every change's keys (the default: sample rate 1, grace 1 s) and then with its inspector paused through `POST /actuator/inspector {\"active\":false}`, alternating (on-off, then off-on) so that the machine's drift falls on both sides. One process, so both sides share its JIT and heap. `keys read back` is the rise of `freshline_inspector_checked_total` in the window, which shows that the switch took. Invalidator CPU per change event: **%.1f µs on, %.1f µs paused** (+%.1f µs); lag p99 %.1f ms on, %.1f ms paused (means of the windows).%n%n",
				cost.rate(), cost.onUsPerEvent(), cost.offUsPerEvent(), cost.usPerEventCost(), cost.onLagP99Ms(),
				cost.offLagP99Ms()));
		md.append("| round | inspector | updates | invalidator µs/event | invalidator cores | lag p50 ms | lag p99 ms | keys read back |\n| --- | --- | --- | --- | --- | --- | --- | --- |\n");
		for (InspectorCost.Window window : cost.windows()) {
			md.append(String.format(Locale.ROOT, "| %d | %s | %d | %.1f | %.2f | %.1f | %.1f | %.0f |%n", window.round(),
					window.inspecting() ? "on" : "paused", window.updates(), window.usPerEvent(), window.invalidatorCores(),
					window.lagMs().p50(), window.lagMs().p99(), window.checked()));
		}
	}
}
