package dev.freshline.bench;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ReportTests {

	@Test
	void shouldPrintNaNForEveryFigureNotMeasured() {
		BenchResults results = new BenchResults(Machine.current(), BenchOptions.parse(List.of("--quick"), java.nio.file.Path.of(".")),
				"scripts/bench --quick");

		assertThat(new Report(results).resultLine()).isEqualTo("RESULT lag100_p50_ms=NaN lag100_p99_ms=NaN "
				+ "lag1000_p50_ms=NaN lag1000_p99_ms=NaN lag3000_p99_ms=NaN stock_debezium_lag100_p50_ms=NaN "
				+ "stock_debezium_lag1000_p50_ms=NaN stock_kept_up=NaN "
				+ "hit_vs_noop=NaN miss_vs_dbonly=NaN hit_vs_anonymous_noop=NaN auth_noop_cost=NaN "
				+ "replay_events_per_s=NaN bulk_invalidations_per_s=NaN hotkey_db_reads=NaN "
				+ "connector_idle_cpu_cores=NaN fence_hit_cost=NaN after_read_p50_ms=NaN after_read_p99_ms=NaN "
				+ "plain_read_p50_ms=NaN plain_read_p99_ms=NaN paused_staleness_p50_ms=NaN paused_staleness_max_ms=NaN "
				+ "connector_us_per_event=NaN invalidator_us_per_event=NaN broker_us_per_event=NaN cold_start_s=NaN "
				+ "inspector_on_us_per_event=NaN inspector_off_us_per_event=NaN inspector_on_lag1000_p99_ms=NaN "
				+ "inspector_off_lag1000_p99_ms=NaN cluster_lag1000_p50_ms=NaN cluster_lag1000_p99_ms=NaN "
				+ "redis_failover_s=NaN redis_failover_staleness_max_ms=NaN broker_loss_s=NaN broker_loss_staleness_max_ms=NaN");
	}

	@Test
	void shouldFormatMeasuredFigures() {
		BenchResults results = new BenchResults(Machine.current(), BenchOptions.parse(List.of(), java.nio.file.Path.of(".")),
				"scripts/bench");
		results.lag.add(step(100, 4.04, 12.36));
		results.hotKey = new HotKey.Figures(200, 5000, 0, 1, 0, 0, 20);
		results.connectorIdleCores = 0.0421;

		assertThat(new Report(results).resultLine()).startsWith("RESULT lag100_p50_ms=4.0 lag100_p99_ms=12.4 lag1000_p50_ms=NaN")
			.contains("hotkey_db_reads=1 ")
			.contains("connector_idle_cpu_cores=0.042 ");
	}

	@Test
	void shouldReportTheInspectorsCostBesideItsPausedWindows() {
		BenchResults results = measuredEverything(List.of());
		results.inspectorCost = new InspectorCost.Figures(1000, List.of(), 71.26, 60.04, 20, 19, 52.25, 45.04);

		assertThat(new Report(results).resultLine()).contains(" inspector_on_us_per_event=71 inspector_off_us_per_event=60 "
				+ "inspector_on_lag1000_p99_ms=52.3 inspector_off_lag1000_p99_ms=45.0 ");
		assertThat(new Report(results).failures()).isEmpty();

		results.inspectorCost = null;
		results.missing.put("inspector-cost", "the inspector on/off scenario failed: the switch answered 404");
		assertThat(new Report(results).unmeasured()).containsEntry("inspector_on_us_per_event",
				"the inspector on/off scenario failed: the switch answered 404");
	}

	@Test
	void shouldReportTheClusterStacksLagAndFailoversAtTheEnd() {
		BenchResults results = measuredEverything(List.of());

		assertThat(new Report(results).resultLine()).endsWith(" cluster_lag1000_p50_ms=14.0 cluster_lag1000_p99_ms=60.0 "
				+ "redis_failover_s=2.5 redis_failover_staleness_max_ms=2104.0 broker_loss_s=9.7 broker_loss_staleness_max_ms=2230.0");
		assertThat(new Report(results).failures()).isEmpty();
		assertThat(new Report(results).markdown()).contains("| 1,000 | Redis Cluster, three brokers | 14.0 | 60.0 |")
			.contains("| 1,000 | one Redis, one broker | 10.0 | 40.0 |")
			.contains("| 100 | Redis Cluster, three brokers | 12.0 | 50.0 |");

		results.brokerLoss = null;
		results.missing.put("broker-loss", "the broker loss scenario failed: no leader");
		assertThat(new Report(results).unmeasured()).containsEntry("broker_loss_staleness_max_ms",
				"the broker loss scenario failed: no leader");
	}

	@Test
	void shouldPrintANegativeFenceCostAsANumber() {
		BenchResults results = measuredEverything(List.of());
		results.fenceCost = new FenceCost.Figures(3, 4000, List.of(), 10100, 10000, -0.01, -0.03, 0.01, Map.of(), Map.of());

		assertThat(new Report(results).resultLine()).contains(" fence_hit_cost=-0.010 ");
		assertThat(new Report(results).failures()).isEmpty();
	}

	@Test
	void shouldNotCallTheFenceCostMetWhenTheCopyWithoutItWasFarSlower() {
		BenchResults results = measuredEverything(List.of());
		results.fenceCost = new FenceCost.Figures(3, 4000, List.of(), 20000, 10000, -1.0, -2.0, -0.4, Map.of(), Map.of());

		assertThat(new Report(results).goals()).contains(new Report.Goal("fence cost on hit throughput", "< 5 %",
				"-100.0 %", "not comparable: the copy without the fence was the slower one by more than the bound"));
	}

	@Test
	void shouldReportWhatTheTokenCheckCostsBesideHitVsNoop() {
		BenchResults results = measuredEverything(List.of());
		results.reads = new ApiReads.Figures(List.of(), 0.904, 0.6, 0.5871, -0.0123, List.of(), List.of());

		assertThat(new Report(results).resultLine())
			.contains(" hit_vs_noop=0.90 miss_vs_dbonly=0.60 hit_vs_anonymous_noop=0.59 auth_noop_cost=-0.012 ");
		assertThat(new Report(results).goals()).contains(new Report.Goal("hit_vs_noop", ">= 0.8", "0.90", "yes"),
				new Report.Goal("hit_vs_anonymous_noop", ">= 0.6", "0.59", "**no**"));
		assertThat(new Report(results).failures()).isEmpty();
	}

	@Test
	void shouldReportEachPipelineProcessCpuPerChangeAtTheTopRate() {
		BenchResults results = measuredEverything(List.of());
		Percentiles lag = new Percentiles(60_000, 10, 40, 41, 42);
		results.lag.removeIf((step) -> step.rate() == 3000);
		// 60,000 updates, and a 25 s window (20 s of load, 5 s waiting for the last deletes)
		results.lag.add(new LagResult("freshline-3000", 3000, 60_000, 3000, 60_000, 0, lag, lag, Map.of(),
				new LagResult.BacklogFigures(List.of(), 0, 0, List.of(), 0, 0, 0)));
		results.cpuDuringSteps.put("freshline-3000", Map.of("cdc-connector", 0.3, "invalidator", 0.06, "kafka", 0.48));
		results.cpuWindowSeconds.put("freshline-3000", 25.0);

		assertThat(new Report(results).resultLine())
			.contains(" connector_us_per_event=125 invalidator_us_per_event=25 broker_us_per_event=200 cold_start_s=24.3 ");
		// the goals judge the same figures: the connector's 125 µs misses its 60, the invalidator's 25 meets its 30
		assertThat(new Report(results).goals()).contains(
				new Report.Goal("connector CPU per change event at 3,000/s", "<= 60 µs", "125 µs", "**no**"),
				new Report.Goal("invalidator CPU per change event at 3,000/s", "<= 30 µs", "25 µs", "yes"),
				new Report.Goal("cold start of the stack (built)", "<= 25 s", "24.3 s", "yes"));
	}

	@Test
	void shouldNameTheFenceScenarioThatCouldNotRun() {
		BenchResults results = measuredEverything(List.of());
		results.paused = null;
		results.missing.put("paused-staleness", "the paused-invalidator scenario failed: boom");

		assertThat(new Report(results).failures()).contains(
				"paused_staleness_p50_ms=NaN: the paused-invalidator scenario failed: boom",
				"paused_staleness_max_ms=NaN: the paused-invalidator scenario failed: boom");
	}

	@Test
	void shouldPlotEveryPercentileAsWellFormedSvg() {
		String svg = LagPlot.svg(List.of(step(100, 4, 12), step(1000, 6, 30)), List.of(step(100, 300, 700), step(1000, 500, 900)),
				"2 cores");

		assertThat(svg).startsWith("<svg").endsWith("</svg>\n").contains("p50", "p99", "p99.9", "max", "stock Debezium");
		assertThat(svg.split("<polyline", -1)).hasSize(5);
		// p50 and p99 of both stock steps, and the legend's mark
		assertThat(svg.split("fill=\"none\" stroke=\"black\"", -1)).hasSize(6);
	}

	@Test
	void shouldTakeNearestRankPercentiles() {
		double[] values = new double[1000];
		for (int i = 0; i < values.length; i++) {
			values[i] = i + 1;
		}

		assertThat(Percentiles.of(values)).isEqualTo(new Percentiles(1000, 500, 990, 999, 1000));
		assertThat(Double.isNaN(Percentiles.of(new double[0]).p50())).isTrue();
	}

	@Test
	void shouldReadTheVersionOfAPatient() {
		assertThat(BenchHttp.version("{\"id\":42,\"ward\":\"ward-c\",\"version\":17,\"updatedAt\":null}")).isEqualTo(17);
		assertThat(BenchHttp.version("{}")).isEqualTo(-1);
	}

	@Test
	void shouldNotCompareWithAStockRunThatFellBehind() {
		BenchResults results = new BenchResults(Machine.current(), BenchOptions.parse(List.of(), java.nio.file.Path.of(".")),
				"scripts/bench");
		results.lag.add(step(1000, 50, 150));
		// the committed full run's baseline: its backlog grew 284/s and most of its p50 was the
		// invalidator's queue (kafka_to_redis_delete), not Debezium's poll
		results.stock.add(step("stock-debezium-1000", 1000, 4997, 8000, 284, 0,
				Map.of("commit_to_debezium", hop(300), "kafka_to_redis_delete", hop(4351))));

		Report.Goal ratio = stockGoal(results, 1000);

		assertThat(ratio.measured()).startsWith("NaN")
			.contains("stock-debezium-1000 fell behind", "+284", "kafka_to_redis_delete");
		assertThat(ratio.met()).isEqualTo("not comparable");
		assertThat(new Report(results).resultLine()).contains("stock_debezium_lag1000_p50_ms=4997.0");
	}

	@Test
	void shouldNotCompareWhenADeleteWasNotSeen() {
		BenchResults results = new BenchResults(Machine.current(), BenchOptions.parse(List.of(), java.nio.file.Path.of(".")),
				"scripts/bench");
		results.lag.add(step("freshline-1000", 1000, 10, 40, 0, 3, Map.of()));
		results.stock.add(step("stock-debezium-1000", 1000, 600, 900, 0, 0, Map.of()));

		assertThat(stockGoal(results, 1000).measured()).startsWith("NaN").contains("freshline-1000", "3 of 100 deletes not seen");
	}

	@Test
	void shouldCompareWhenBothRunsKeptUp() {
		BenchResults results = new BenchResults(Machine.current(), BenchOptions.parse(List.of(), java.nio.file.Path.of(".")),
				"scripts/bench");
		results.lag.add(step("freshline-1000", 1000, 10, 40, 1.5, 0, Map.of()));
		results.stock.add(step("stock-debezium-1000", 1000, 600, 900, -2, 0, Map.of()));

		assertThat(stockGoal(results, 1000)).isEqualTo(new Report.Goal("stock Debezium p50 / Freshline p50 at 1,000/s", ">= 30x",
				"60x", "yes"));
	}

	@Test
	void shouldKeepUpOnlyWithoutGrowthAndWithLittleLeftWhenTheWriterStopped() {
		// steady: 250 in flight at 1,000/s (a 500 ms poll's wait), cleared 700 ms after the last update
		assertThat(Report.fellBehind(backlogStep("steady", 1000, 0, 250, 700))).isNull();
		// a 500 ms poll's peak: almost a second of writes in flight at the end
		assertThat(Report.fellBehind(backlogStep("poll-peak", 100, -3, 94, 583))).isNull();
		// flat over the samples, yet 2.5 s of writes queued at the end
		assertThat(Report.fellBehind(backlogStep("queued", 1000, 10, 2500, 1900)))
			.isEqualTo("2500 in flight when the writer stopped, more than 2 s of writes (2000)");
		// little left, but it took 3 s to clear
		assertThat(Report.fellBehind(backlogStep("slow-drain", 100, 0, 40, 3000)))
			.isEqualTo("the last delete came 3000 ms after the last update, more than 2000 ms");
		assertThat(Report.fellBehind(backlogStep("growing", 100, 60, 60, 800)))
			.isEqualTo("its lag grew +60 ms per second of the step, more than 50");
	}

	@Test
	void shouldListTheStockRatesThatKeptUp() {
		BenchResults results = measuredEverything(List.of());
		assertThat(new Report(results).resultLine()).contains(
				" stock_debezium_lag100_p50_ms=300.0 stock_debezium_lag1000_p50_ms=600.0 stock_kept_up=100+1000 hit_vs_noop=");

		results.stock.set(1, backlogStep("stock-debezium-1000", 1000, 40, 3000, 4000));
		assertThat(new Report(results).resultLine()).contains(" stock_kept_up=100 ");

		results.stock.set(0, backlogStep("stock-debezium-100", 100, 0, 40, 2500));
		assertThat(new Report(results).resultLine()).contains(" stock_kept_up=none ");
		assertThat(new Report(results).failures()).isEmpty();
	}

	@Test
	void shouldGiveTheStockRatioOnlyAtTheRatesWhereBothKeptUp() {
		BenchResults results = measuredEverything(List.of());
		results.stock.set(1, backlogStep("stock-debezium-1000", 1000, 40, 3000, 4000));

		assertThat(stockGoal(results, 100)).isEqualTo(
				new Report.Goal("stock Debezium p50 / Freshline p50 at 100/s", ">= 30x", "30x", "yes"));
		assertThat(stockGoal(results, 1000).met()).isEqualTo("not comparable");
		assertThat(stockGoal(results, 1000).measured()).startsWith("NaN: stock-debezium-1000 fell behind (3000 in flight when the writer stopped");
	}

	@Test
	void shouldReportTheBulkUpdateAsRowsOverCommitToTheLastDelete() {
		BenchResults results = measuredEverything(List.of());
		// 20,000 rows, the last key deleted 400 ms after the commit; the invalidator busy half a core meanwhile
		results.bulk = bulk(20_000, 400, Map.of("invalidator", 0.5));

		assertThat(new Report(results).resultLine()).contains(" replay_events_per_s=90000 bulk_invalidations_per_s=50000 ");
		assertThat(new Report(results).goals())
			.contains(new Report.Goal("bulk invalidations (one UPDATE of 20,000 cached rows)", ">= 50,000 events/s",
					"50,000 events/s", "yes"));
		assertThat(results.bulk.usPerEvent("invalidator")).isEqualTo(10.0);
		// from the first delete (100 ms) to the last: 19,999 more in 300 ms
		assertThat(results.bulk.drainPerS()).isCloseTo(66_663, org.assertj.core.data.Offset.offset(1.0));
		assertThat(new Report(results).failures()).isEmpty();
	}

	@Test
	void shouldGiveNoBulkFigureWhenADeleteWasNotSeen() {
		assertThat(BulkUpdate.perSecond(20_000, 400, 1)).isNaN();
		assertThat(BulkUpdate.perSecond(20_000, 0, 0)).isNaN();
		assertThat(BulkUpdate.perSecond(20_000, 400, 0)).isEqualTo(50_000);
	}

	@Test
	void shouldFailWhenAStackDidNotStart() {
		BenchResults results = measuredEverything(List.of("--no-replay"));
		results.replay = null;
		results.skipped.put("replay", "skipped with --no-replay");
		results.stock.clear();
		results.missing.put("stock", "the stock-Debezium stack run failed: the local stack did not start");

		assertThat(new Report(results).failures()).containsExactly(
				"stock: the stock-Debezium stack run failed: the local stack did not start",
				"stock_debezium_lag100_p50_ms=NaN: the stock-Debezium stack run failed: the local stack did not start",
				"stock_debezium_lag1000_p50_ms=NaN: the stock-Debezium stack run failed: the local stack did not start",
				"stock_kept_up=NaN: the stock-Debezium stack run failed: the local stack did not start");
	}

	@Test
	void shouldFailWhenAFigureIsNaNWithoutAReason() {
		BenchResults results = measuredEverything(List.of());
		results.hotKey = new HotKey.Figures(200, 5000, 0, Double.NaN, 0, 0, 20);

		assertThat(new Report(results).failures()).singleElement().asString().startsWith("hotkey_db_reads=NaN");
	}

	@Test
	void shouldPassWhenEveryFigureWasMeasuredOrNotAskedFor() {
		BenchResults everything = measuredEverything(List.of());
		BenchResults noReplay = measuredEverything(List.of("--no-replay"));
		noReplay.replay = null;
		noReplay.skipped.put("replay", "skipped with --no-replay");

		assertThat(new Report(everything).failures()).isEmpty();
		assertThat(new Report(noReplay).failures()).isEmpty();
		assertThat(new Report(noReplay).resultLine()).contains("replay_events_per_s=NaN");
	}

	private static BenchResults measuredEverything(List<String> args) {
		BenchResults results = new BenchResults(Machine.current(), BenchOptions.parse(args, java.nio.file.Path.of(".")),
				"scripts/bench");
		for (int rate : List.of(100, 1000, 3000)) {
			results.lag.add(step(rate, 10, 40));
		}
		results.stock.add(step("stock-debezium-100", 100, 300, 600, 0, 0, Map.of()));
		results.stock.add(step("stock-debezium-1000", 1000, 600, 900, 0, 0, Map.of()));
		results.reads = new ApiReads.Figures(List.of(), 0.7, 0.6, 0.65, 0.25, List.of(), List.of());
		results.hotKey = new HotKey.Figures(200, 5000, 0, 1, 0, 0, 20);
		results.replay = new ReplayFigure.Figure(90_000, 100_000, "scripts/bench-replay --events 100000");
		results.connectorIdleCores = 0.1;
		Percentiles reads = new Percentiles(100, 2, 9, 10, 11);
		results.fenceCost = new FenceCost.Figures(3, 4000, List.of(), 9800, 10000, 0.02, -0.01, 0.05, Map.of(), Map.of());
		results.afterReads = new AfterReads.Figures(1000, 100, reads, reads, Map.of(), Map.of(), 0, 0, null);
		results.paused = new PausedStaleness.Figures(java.time.Duration.ofSeconds(2), 10, reads, 0, 1950, 10, 300);
		results.cpuDuringSteps.put("freshline-3000", Map.of("cdc-connector", 0.25, "invalidator", 0.2, "kafka", 0.3));
		results.cpuWindowSeconds.put("freshline-3000", 20.0);
		results.coldStartSeconds = 24.26;
		results.bulk = bulk(20_000, 400, Map.of("invalidator", 0.5));
		results.inspectorCost = new InspectorCost.Figures(1000, List.of(), 70, 60, 20, 19, 50, 45);
		results.cluster.add(step("cluster-100", 100, 12, 50, 0, 0, Map.of()));
		results.cluster.add(step("cluster-1000", 1000, 14, 60, 0, 0, Map.of()));
		results.redisFailover = failover("redis-failover", 2.46, 2104);
		results.brokerLoss = failover("broker-loss", 9.71, 2230);
		return results;
	}

	private static FailoverStaleness.Figures failover(String fault, double recoveredS, double maxMs) {
		return new FailoverStaleness.Figures(fault, "killed", 150, new Percentiles(150, 30, maxMs - 10, maxMs, maxMs), 0, 0,
				recoveredS);
	}

	private static Report.Goal stockGoal(BenchResults results, int rate) {
		return new Report(results).goals().stream()
			.filter((goal) -> goal.figure().equals(String.format(java.util.Locale.ROOT, "stock Debezium p50 / Freshline p50 at %,d/s", rate)))
			.findFirst()
			.orElseThrow();
	}

	/** {@code rows} updated, the first delete 100 ms after the commit and the last at {@code lastMs}, over a window of lastMs too. */
	private static BulkUpdate.Figures bulk(int rows, double lastMs, Map<String, Double> cores) {
		return new BulkUpdate.Figures(rows, 1, rows, rows - 3000, 4.2, "same", 900, 100, lastMs, 0, 0, cores, lastMs / 1000,
				List.of());
	}

	private static Percentiles hop(double p50) {
		return new Percentiles(100, p50, p50 * 1.5, p50 * 1.6, p50 * 1.7);
	}

	private static LagResult step(String name, int rate, double p50, double p99, double growth, int unobserved,
			Map<String, Percentiles> hops) {
		Percentiles lag = new Percentiles(100, p50, p99, p99 + 1, p99 + 2);
		// a queue growing by {@code growth} a second adds growth / rate seconds of wait each second
		return new LagResult(name, rate, 100, rate, 100 - unobserved, unobserved, lag, lag, hops,
				new LagResult.BacklogFigures(List.of(1L, 2L, 3L), growth, 0, List.of(), 0, 0, growth * 1000 / rate));
	}

	/** A step at {@code rate} with a p50 of 10 ms and the given backlog figures. */
	private static LagResult backlogStep(String name, int rate, double lagGrowthMsPerS, long inFlightAtEnd,
			double drainMs) {
		Percentiles lag = new Percentiles(100, 10, 20, 21, 22);
		return new LagResult(name, rate, 100, rate, 100, 0, lag, lag, Map.of(),
				new LagResult.BacklogFigures(List.of(1L, 2L, 3L), 0, inFlightAtEnd, List.of(), 0, drainMs, lagGrowthMsPerS));
	}

	private static LagResult step(int rate, double p50, double p99) {
		Percentiles lag = new Percentiles(100, p50, p99, p99 + 1, p99 + 2);
		return new LagResult("freshline-" + rate, rate, 100, rate, 100, 0, lag, lag, Map.of(),
				new LagResult.BacklogFigures(List.of(), 0, 0, List.of(), 0, 0, 0));
	}
}
