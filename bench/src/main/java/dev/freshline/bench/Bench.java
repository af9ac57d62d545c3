package dev.freshline.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;

import dev.freshline.embedded.ServiceEnvironment;
import dev.freshline.model.CacheKeys;
import dev.freshline.model.Topics;

/**
 * {@code scripts/bench [--quick]}: starts the embedded stack twice (Freshline's settings, then
 * stock Debezium's 500 ms poll), runs every scenario of docs/benchmarks.md against it, writes
 * {@code bench/results/latest.json}, {@code latest.md} and {@code lag.svg}, and ends with the
 * RESULT line.
 */
public final class Bench {

	private static final String PREFIX = "freshline";

	/** The API's fence bound, set explicitly so that the paused-invalidator figure is read against it. */
	static final Duration MAX_STALENESS = Duration.ofSeconds(2);

	/** The patients each failover updates: cached first, and no other scenario of the cluster stack writes them meanwhile. */
	private static final long REDIS_FAILOVER_FIRST_ID = 1001;

	private static final long BROKER_LOSS_FIRST_ID = 1501;

	private static final int FAILOVER_UPDATES_PER_S = 10;

	/** Long enough for the writer's pace to be even before the fault. */
	private static final Duration FAILOVER_FAULT_AFTER = Duration.ofSeconds(2);

	/** The rate the Freshline-After reads are measured at. */
	private static final int AFTER_RATE = 1000;

	private final Path home;

	private final BenchOptions options;

	private final BenchProgress progress = new BenchProgress();

	private final BenchResults results;

	private final long epochOffsetNanos;

	private Bench(Path home, BenchOptions options, String command) {
		this.home = home;
		this.options = options;
		this.results = new BenchResults(Machine.current(), options, command);
		Instant now = Instant.now();
		long nanos = System.nanoTime();
		this.epochOffsetNanos = now.getEpochSecond() * 1_000_000_000L + now.getNano() - nanos;
	}

	public static void main(String[] args) throws Exception {
		Path home = Path.of(System.getProperty("freshline.home", ".")).toAbsolutePath().normalize();
		BenchOptions options;
		try {
			options = BenchOptions.parse(Arrays.asList(args), home);
		}
		catch (IllegalArgumentException ex) {
			if (!ex.getMessage().isEmpty()) {
				System.err.println("scripts/bench: " + ex.getMessage());
			}
			System.err.println(BenchOptions.USAGE);
			System.exit(ex.getMessage().isEmpty() ? 0 : 2);
			return;
		}
		StackProcess.requireJar(home);
		Bench bench = new Bench(home, options, "scripts/bench" + (args.length > 0 ? " " + String.join(" ", args) : ""));
		int status = bench.run();
		// Kafka and Lettuce leave non-daemon threads behind
		System.exit(status);
	}

	private int run() throws Exception {
		Files.createDirectories(this.options.out());
		this.progress.line("machine: %s", this.results.machine.line());
		this.progress.line("%s run: lag at %s updates/s, %s s per step", this.options.quick() ? "quick" : "full",
				this.options.rates(), this.options.step().toSeconds());
		RunSetup.versions(this.home, this.results.versions);
		Map<String, String> environment = new LinkedHashMap<>();
		environment.put("FRESHLINE_BENCH_ENDPOINTS", "true");
		// full tiered compilation: the launcher's default (C1 only) favours start-up over throughput;
		// a quick run keeps the launcher's default because it starts the stack twice in minutes
		environment.put("FRESHLINE_JVM_OPTS", jvmOptions(this.options.quick()));
		this.results.configuration.put("service_jvm_options", environment.get("FRESHLINE_JVM_OPTS"));
		// markers are what the fence reads: without them every API read bypasses the cache (no
		// watermark), and every API figure would measure Postgres. Both stacks run them, so the
		// stock baseline differs from Freshline's in the poll interval only.
		environment.put(ServiceEnvironment.CDC_MARKERS, "true");
		environment.put(ServiceEnvironment.FRESHLINE_FENCE, "true");
		environment.put("FRESHLINE_MAX_STALENESS", MAX_STALENESS.toMillis() + "ms");
		// the invalidator's inspector switch, which the inspector-cost windows flip
		environment.put("MANAGEMENT_ENDPOINTS_WEB_EXPOSURE_INCLUDE", "health,info,metrics,prometheus,inspector");
		try {
			freshlineStack(environment);
		}
		catch (Exception ex) {
			this.progress.line("Freshline stack scenarios failed: %s", ex);
			ex.printStackTrace();
			this.results.missing.putIfAbsent("freshline", "the Freshline stack run failed: " + ex);
		}
		try {
			Map<String, String> stock = new LinkedHashMap<>(environment);
			stock.put("CDC_POLL_INTERVAL", "500ms");
			stockStack(stock);
		}
		catch (Exception ex) {
			this.progress.line("stock Debezium run failed: %s", ex);
			ex.printStackTrace();
			this.results.missing.putIfAbsent("stock", "the stock-Debezium stack run failed: " + ex);
		}
		try {
			Map<String, String> cluster = new LinkedHashMap<>(environment);
			cluster.put("FRESHLINE_LOCAL_CLUSTER", "true");
			clusterStack(cluster);
		}
		catch (Exception ex) {
			this.progress.line("cluster stack run failed: %s", ex);
			ex.printStackTrace();
			this.results.missing.putIfAbsent("cluster", "the cluster stack run failed: " + ex);
		}
		replay();
		Report report = new Report(this.results);
		report.write(this.options.out());
		this.progress.line("wrote %s, latest.md and lag.svg", this.options.out().resolve("latest.json"));
		List<String> failures = report.failures();
		failures.forEach((failure) -> this.progress.line("FAILED %s", failure));
		System.out.println(report.resultLine());
		// a figure that silently came out NaN must fail CI, not pass as a number-shaped line
		return failures.isEmpty() ? 0 : 1;
	}

	private static String jvmOptions(boolean quick) {
		String options = System.getenv("FRESHLINE_JVM_OPTS");
		if (options != null && !options.isBlank()) {
			return options.trim();
		}
		return quick ? "-Xms64m -Xmx384m -XX:+UseSerialGC -XX:TieredStopAtLevel=1" : "-Xms128m -Xmx512m -XX:+UseSerialGC";
	}

	private void freshlineStack(Map<String, String> environment) throws Exception {
		this.progress.line("starting the stack (Freshline settings: 10 ms poll)...");
		Path state = this.home.resolve(".freshline/bench/freshline");
		try (StackProcess stack = StackProcess.start(this.home, state, environment)) {
			this.results.coldStartSeconds = stack.startup().toMillis() / 1000.0;
			this.progress.line("stack is up in %.1f s", this.results.coldStartSeconds);
			this.results.configuration.put("freshline", RunSetup.configuration(stack, "freshline", this.options));
			RedisClient client = RedisClient.create(stack.redisUri());
			try (StatefulRedisConnection<String, String> redis = client.connect()) {
				// before the lag steps: after them the connector may still be draining a backlog
				this.progress.line("connector idle CPU over %d s...", this.options.idle().toSeconds());
				this.results.connectorIdleCores = Machine.cpuCores(stack.pid("cdc-connector"), this.options.idle());
				this.progress.line("connector idle: %.3f cores", this.results.connectorIdleCores);
				lagSteps(stack, redis, false);
				BenchHttp http = authorized(stack);
				TimeToVisible.Figures visible = new TimeToVisible(stack, http).run(this.options.visibleSamples());
				this.results.visible = visible;
				this.progress.line("time to visible on the other instance: p50 %.1f ms, p99 %.1f ms (%d timed out)",
						visible.visibleMs().p50(), visible.visibleMs().p99(), visible.timedOut());
				// one wrk thread: its event loop keeps 16 connections busy on a fraction of one core, and a
				// second thread would only take CPU from the API on a 2-core machine; 16 connections, the
				// concurrency the read figures always had
				Wrk wrk = new Wrk(1, this.options.readConcurrency(), stack.readerToken());
				try {
					this.results.reads = new ApiReads(stack, http, wrk, this.options.readWarmUp(), this.options.readWindow(),
							redis.sync(), new CacheKeys(PREFIX)).run(this.progress);
					this.progress.line("hit_vs_noop %.2f, miss_vs_dbonly %.2f, hit_vs_anonymous_noop %.2f, auth_noop_cost %.3f",
							this.results.reads.hitVsNoop(), this.results.reads.missVsDbOnly(),
							this.results.reads.hitVsAnonymousNoop(), this.results.reads.authNoopCost());
				}
				catch (Exception ex) {
					// the scenarios after it need no wrk: they still run
					this.progress.line("API reads failed: %s", ex);
					this.results.missing.put("api-reads", "the API read scenarios failed: " + ex);
				}
				HotKey.Figures hot = new HotKey(stack, http).run(this.options.hotKeyClients(), this.options.hotKeySettle());
				this.results.hotKey = hot;
				this.progress.line(
						"hot key: %.0f Postgres reads for one invalidation under %d clients (%d reads, %d failed; apart from them %.0f reads failed open on %.0f Redis errors)",
						hot.dbReads(), hot.clients(), hot.reads(), hot.failedReads(), hot.failOpenReads(), hot.redisErrors());
				fence(stack, http, state.resolve("logs"));
				// last: the rows it adds and the entries it plants would change what the scenarios above read
				bulkUpdate(stack, client, http);
			}
			finally {
				client.shutdown();
			}
			this.progress.line("stopping the stack...");
		}
	}

	private void stockStack(Map<String, String> environment) throws Exception {
		this.progress.line("starting the stack again with stock Debezium settings (500 ms poll)...");
		try (StackProcess stack = StackProcess.start(this.home, this.home.resolve(".freshline/bench/stock"), environment)) {
			this.progress.line("stack is up");
			this.results.configuration.put("stock", RunSetup.configuration(stack, "stock", this.options));
			RedisClient client = RedisClient.create(stack.redisUri());
			try (StatefulRedisConnection<String, String> redis = client.connect()) {
				lagSteps(stack, redis, true);
				Duration idle = this.options.idle().dividedBy(2);
				this.results.stockConnectorIdleCores = Machine.cpuCores(stack.pid("cdc-connector"), idle);
				this.progress.line("stock connector idle over %d s: %.3f cores", idle.toSeconds(),
						this.results.stockConnectorIdleCores);
			}
			finally {
				client.shutdown();
			}
			this.progress.line("stopping the stack...");
		}
	}

	/**
	 * The stack beyond one machine, on this one: a Redis Cluster (three primaries, each with a
	 * replica) and three Kafka brokers (change topics with three replicas, min.insync.replicas 2).
	 * Its lag at 1,000 updates/s stands beside the single stack's from this run; then a Redis
	 * primary and a broker are killed under a writer whose updates are read through the API.
	 */
	private void clusterStack(Map<String, String> environment) throws Exception {
		this.progress.line("starting the stack again on a Redis Cluster (3 primaries, 3 replicas) and three Kafka brokers...");
		try (StackProcess stack = StackProcess.start(this.home, this.home.resolve(".freshline/bench/cluster"), environment)) {
			this.results.clusterColdStartSeconds = stack.startup().toMillis() / 1000.0;
			this.progress.line("cluster stack is up in %.1f s", this.results.clusterColdStartSeconds);
			this.results.configuration.put("cluster", RunSetup.configuration(stack, "cluster", this.options));
			clusterLag(stack);
			CacheKeys keys = new CacheKeys(PREFIX);
			int updates = (int) (this.options.failoverWindow().toSeconds() * FAILOVER_UPDATES_PER_S);
			try {
				this.results.redisFailover = failover(stack, "redis-failover",
						RedisPrimaryKill.of(stack, keys.patient(REDIS_FAILOVER_FIRST_ID)), REDIS_FAILOVER_FIRST_ID, updates);
			}
			catch (Exception ex) {
				this.progress.line("Redis primary failover failed: %s", ex);
				this.results.missing.put("redis-failover", "the Redis primary failover scenario failed: " + ex);
			}
			try {
				String topic = new Topics(PREFIX).changes("patient");
				this.results.brokerLoss = failover(stack, "broker-loss", BrokerKill.of(stack, topic), BROKER_LOSS_FIRST_ID,
						updates);
			}
			catch (Exception ex) {
				this.progress.line("broker loss failed: %s", ex);
				this.results.missing.put("broker-loss", "the broker loss scenario failed: " + ex);
			}
			this.progress.line("stopping the stack...");
		}
	}

	/** A warm-up and one step at 1,000 updates/s, seen on every primary of the cluster. */
	private void clusterLag(StackProcess stack) throws Exception {
		CacheKeys keys = new CacheKeys(PREFIX);
		String topic = new Topics(PREFIX).changes("patient");
		List<RedisClient> primaries = new ArrayList<>();
		for (RedisURI node : stack.redisClusterNodes()) {
			RedisClient client = RedisClient.create(node);
			primaries.add(client);
		}
		List<RedisClient> watched = primaries.stream().filter(Bench::isPrimary).toList();
		try (InvalidationWatch deletes = new InvalidationWatch(watched, keys.patient(1).substring(0, keys.patient(1).indexOf('{')));
				HopTracker hops = new HopTracker(stack, topic);
				Backlog backlog = new Backlog(stack, topic)) {
			LagStep step = new LagStep(stack, deletes, hops, backlog, keys, this.epochOffsetNanos);
			this.progress.line("warm-up: %d s at 1000 updates/s (not counted)", this.options.warmUp().toSeconds());
			step.run("warm-up", 1000, this.options.warmUp());
			for (int rate : BenchResults.CLUSTER_RATES) {
				String name = "cluster-" + rate;
				this.progress.line("%s: %d updates/s open-loop for %d s, deletes seen on %d primaries...", name, rate,
						this.options.step().toSeconds(), watched.size());
				// every process, the three brokers and six Redis nodes each on its own: where replication's CPU goes
				Map<String, Long> pids = new LinkedHashMap<>(stack.processes());
				pids.put("bench (load, probes)", ProcessHandle.current().pid());
				CpuUse cpu = CpuUse.start(pids);
				LagResult result = step.run(name, rate, this.options.step());
				this.results.cpuDuringSteps.put(name, cpu.stop());
				this.results.cpuWindowSeconds.put(name, cpu.seconds());
				this.results.cluster.add(result);
				LagResult single = this.results.lagAt(rate);
				this.progress.line("%s: p50 %.1f ms, p99 %.1f ms, max %.1f ms; %d of %d deletes seen (one Redis and one broker, this run: p50 %.1f ms, p99 %.1f ms)",
						name, result.lagMs().p50(), result.lagMs().p99(), result.lagMs().max(), result.observed(),
						result.updates(), (single != null) ? single.lagMs().p50() : Double.NaN,
						(single != null) ? single.lagMs().p99() : Double.NaN);
			}
		}
		catch (Exception ex) {
			this.progress.line("cluster lag failed: %s", ex);
			this.results.missing.put("cluster-lag", "the cluster lag step failed: " + ex);
		}
		finally {
			primaries.forEach(RedisClient::shutdown);
		}
	}

	private static boolean isPrimary(RedisClient node) {
		try (StatefulRedisConnection<String, String> connection = node.connect()) {
			return connection.sync().info("replication").contains("role:master");
		}
	}

	private FailoverStaleness.Figures failover(StackProcess stack, String name, FailoverStaleness.Fault fault, long firstId,
			int updates) throws Exception {
		Duration window = this.options.failoverWindow();
		this.progress.line("%s: %d SQL updates over %d s, the fault %d s in; each read on api-1 and api-2 until both serve it...",
				name, updates, window.toSeconds(), FAILOVER_FAULT_AFTER.toSeconds());
		FailoverStaleness.Figures figures = new FailoverStaleness(stack, authorized(stack)).run(name, fault, firstId, updates,
				window, FAILOVER_FAULT_AFTER);
		this.progress.line("%s: %s; recovered in %.1f s; new version on both instances after p50 %.0f ms, p99 %.0f ms, max %.0f ms (%d never visible); %d reads not answered 200",
				name, figures.injected(), figures.recoveredS(), figures.stalenessMs().p50(), figures.stalenessMs().p99(),
				figures.stalenessMs().max(), figures.notVisible(), figures.apiErrors());
		return figures;
	}

	private void lagSteps(StackProcess stack, StatefulRedisConnection<String, String> redis, boolean stock) throws Exception {
		String topic = new Topics(PREFIX).changes("patient");
		CacheKeys keys = new CacheKeys(PREFIX);
		RedisClient client = RedisClient.create(stack.redisUri());
		try (InvalidationWatch deletes = new InvalidationWatch(client, keys.patient(1).substring(0, keys.patient(1).indexOf('{')));
				HopTracker hops = new HopTracker(stack, topic);
				Backlog backlog = new Backlog(stack, topic)) {
			LagStep step = new LagStep(stack, deletes, hops, backlog, keys, this.epochOffsetNanos);
			Duration warmUp = stock ? this.options.warmUp().dividedBy(2) : this.options.warmUp();
			this.progress.line("warm-up: %d s at 1000 updates/s (not counted)", warmUp.toSeconds());
			step.run("warm-up", 1000, warmUp);
			List<Integer> rates = stock ? this.options.stockRates() : this.options.rates();
			for (int rate : rates) {
				String name = (stock ? "stock-debezium-" : "freshline-") + rate;
				this.progress.line("%s: %d updates/s open-loop for %d s...", name, rate, this.options.step().toSeconds());
				CpuUse cpu = CpuUse.start(components(stack));
				LagResult result = step.run(name, rate, this.options.step());
				this.results.cpuDuringSteps.put(name, cpu.stop());
				this.results.cpuWindowSeconds.put(name, cpu.seconds());
				if (stock) {
					this.results.stock.add(result);
				}
				else {
					this.results.lag.add(result);
				}
				this.progress.line("%s: p50 %.1f ms, p99 %.1f ms, p99.9 %.1f ms, max %.1f ms; %d of %d deletes seen; in flight at end %d, drain %.0f ms",
						name, result.lagMs().p50(), result.lagMs().p99(), result.lagMs().p999(), result.lagMs().max(),
						result.observed(), result.updates(), result.backlog().inFlightAtLoadEnd(), result.backlog().drainMs());
			}
			if (!stock) {
				afterReads(stack, step);
				inspectorCost(stack, step);
			}
			if (!stock && !this.options.quick()) {
				profiledStep(stack, step);
			}
		}
		finally {
			client.shutdown();
		}
	}

	/** A client with {@code stack}'s tokens: the bench authenticates like any client of the API. */
	private static BenchHttp authorized(StackProcess stack) {
		BenchHttp http = new BenchHttp();
		http.authorize(stack);
		return http;
	}

	/** Reads with {@code Freshline-After} beside plain ones while the writer runs at 1,000/s. */
	private void afterReads(StackProcess stack, LagStep step) {
		this.progress.line("Freshline-After reads: %d updates/s open-loop for %d s; samplers write, then read on api-2 with the header...",
				AFTER_RATE, this.options.step().toSeconds());
		try {
			AfterReads.Figures after = new AfterReads(stack, authorized(stack)).run(step, AFTER_RATE, this.options.step());
			this.results.afterReads = after;
			LagResult lag = after.lag();
			this.progress.line(
					"Freshline-After reads on api-2 at %d updates/s: p50 %.1f ms, p99 %.1f ms (%s); plain reads in the same window: p50 %.1f ms, p99 %.1f ms (%s); %d samples, %d older than the write, %d failed; pipeline lag meanwhile p50 %.1f ms, p99 %.1f ms",
					after.rate(), after.afterMs().p50(), after.afterMs().p99(), after.afterOutcomes(), after.plainMs().p50(),
					after.plainMs().p99(), after.plainOutcomes(), after.samples(), after.olderThanWritten(), after.failedReads(),
					(lag != null) ? lag.lagMs().p50() : Double.NaN, (lag != null) ? lag.lagMs().p99() : Double.NaN);
		}
		catch (Exception ex) {
			this.progress.line("Freshline-After reads failed: %s", ex);
			this.results.missing.put("after-reads", "the Freshline-After scenario failed: " + ex);
		}
	}

	/** The inspector's cost at 1,000/s: alternating windows with it on and paused (see {@link InspectorCost}). */
	private void inspectorCost(StackProcess stack, LagStep step) {
		int rounds = this.options.quick() ? 1 : 2;
		this.progress.line("inspector cost: %d updates/s for %d s per window, inspector on and paused in %d alternating rounds...",
				InspectorCost.RATE, this.options.step().toSeconds(), rounds);
		try {
			InspectorCost.Figures cost = new InspectorCost(stack, new BenchHttp()).run(step, rounds, this.options.step(),
					this.progress);
			this.results.inspectorCost = cost;
			this.progress.line("inspector cost: invalidator %.1f µs per event on, %.1f paused; lag p99 %.1f ms on, %.1f paused",
					cost.onUsPerEvent(), cost.offUsPerEvent(), cost.onLagP99Ms(), cost.offLagP99Ms());
		}
		catch (Exception ex) {
			this.progress.line("inspector cost failed: %s", ex);
			this.results.missing.put("inspector-cost", "the inspector on/off scenario failed: " + ex);
		}
	}

	/**
	 * The fence's cost on hits and the staleness bound with the invalidator paused, both on two
	 * fresh copies of api-1, one with the fence on and one off (see {@link FenceCost} for why two).
	 */
	private void fence(StackProcess stack, BenchHttp http, Path logs) {
		this.progress.line("starting %s and %s together (api-1's command line and environment, FRESHLINE_FENCE=true and false)...",
				FenceCost.FENCE_ON, FenceCost.FENCE_OFF);
		try (ServiceCopy on = ServiceCopy.start(stack.pid("api-1"), FenceCost.FENCE_ON,
				Map.of(ServiceEnvironment.FRESHLINE_FENCE, "true"), logs);
				ServiceCopy off = ServiceCopy.start(stack.pid("api-1"), FenceCost.FENCE_OFF,
						Map.of(ServiceEnvironment.FRESHLINE_FENCE, "false"), logs)) {
			on.awaitHealthy(http);
			off.awaitHealthy(http);
			this.progress.line("%s is up at %s, %s at %s", on.name(), on.baseUrl(), off.name(), off.baseUrl());
			try {
				Wrk wrk = new Wrk(1, this.options.readConcurrency(), stack.readerToken());
				FenceCost.Figures cost = new FenceCost(http, wrk, this.options).run(on, off, this.progress);
				this.results.fenceCost = cost;
				this.progress.line(
						"fence cost on hits: %.0f/s with the fence on (%s), %.0f/s off (%s), mean of %d alternating rounds: fence_hit_cost %.3f (rounds from %+.3f to %+.3f; noise can make it negative); answers on: %s, off: %s",
						cost.onReadsPerS(), on.name(), cost.offReadsPerS(), off.name(), cost.rounds(), cost.cost(),
						cost.lowestRoundCost(), cost.highestRoundCost(), cost.onOutcomes(), cost.offOutcomes());
			}
			catch (Exception ex) {
				this.progress.line("fence cost failed: %s", ex);
				this.results.missing.put("fence-cost", "the fence on/off hit scenario failed: " + ex);
			}
			try {
				this.progress.line("invalidator paused (SIGSTOP): %d SQL updates over %d ms, each read on api-1 and api-2 until both serve it...",
						this.options.pausedUpdates(), MAX_STALENESS.plusSeconds(1).toMillis());
				PausedStaleness.Figures paused = new PausedStaleness(stack, http).run(off.baseUrl(), MAX_STALENESS,
						this.options.pausedUpdates());
				this.results.paused = paused;
				this.progress.line(
						"invalidator paused: new row on both instances after p50 %.0f ms, max %.0f ms (max-staleness %d ms; first bypass %.0f ms after SIGSTOP; %d never visible); fence off: %d of %d still old; bypassing ended %.0f ms after SIGCONT",
						paused.stalenessMs().p50(), paused.stalenessMs().max(), paused.maxStaleness().toMillis(),
						paused.fenceEngagedMs(), paused.notVisible(), paused.fenceOffStillOld(), paused.updates(),
						paused.recoveredMs());
			}
			catch (Exception ex) {
				this.progress.line("paused-invalidator staleness failed: %s", ex);
				this.results.missing.put("paused-staleness", "the paused-invalidator scenario failed: " + ex);
			}
		}
		catch (Exception ex) {
			this.progress.line("the API copies did not start: %s", ex);
			this.results.missing.put("fence-cost", "the API copies did not start: " + ex);
			this.results.missing.put("paused-staleness", "the API copies did not start: " + ex);
		}
	}

	/** One UPDATE of many cached rows: how fast one invalidator process deletes all their keys. */
	private void bulkUpdate(StackProcess stack, RedisClient client, BenchHttp http) {
		int rows = this.options.bulkRows();
		this.progress.line("bulk update: %,d patients, each cached, then one UPDATE of all of them...", rows);
		try {
			BulkUpdate.Figures bulk = new BulkUpdate(stack, client, new CacheKeys(PREFIX), http, this.progress).run(rows,
					new Topics(PREFIX).changes("patient"), components(stack));
			this.results.bulk = bulk;
			this.progress.line(
					"bulk update: %,d keys deleted %.0f ms after the commit (first after %.0f ms): %,.0f invalidations/s; invalidator %.1f µs of CPU per event (%.2f cores); %d keys left",
					bulk.rows(), bulk.lastDeleteMs(), bulk.firstDeleteMs(), bulk.invalidationsPerS(), bulk.usPerEvent("invalidator"),
					bulk.cpuCores().getOrDefault("invalidator", Double.NaN), bulk.keysLeft());
			if (bulk.keysLeft() > 0) {
				this.results.missing.put("bulk", bulk.keysLeft() + " planted entries were still cached after every invalidation arrived");
			}
		}
		catch (Exception ex) {
			this.progress.line("bulk update failed: %s", ex);
			this.results.missing.put("bulk", "the bulk-update scenario failed: " + ex);
		}
	}

	/**
	 * The fastest rate once more, off the record, with JFR on the connector and the invalidator:
	 * recording costs CPU, so the measured steps run without it.
	 */
	private void profiledStep(StackProcess stack, LagStep step) {
		int rate = this.options.rates().get(this.options.rates().size() - 1);
		this.progress.line("profiling: %d updates/s again with JFR on the cdc-connector and the invalidator (not counted)...", rate);
		try {
			Profiles profiles = new Profiles(this.options.out().resolve("jfr"));
			profiles.start("cdc-connector", stack.pid("cdc-connector"));
			profiles.start("invalidator", stack.pid("invalidator"));
			step.run("profiled-" + rate, rate, this.options.step());
			this.results.profiles.addAll(profiles.stop(rate + "-per-s"));
		}
		catch (Exception ex) {
			this.results.profiles.add("JFR profile failed: " + ex);
		}
	}

	private Map<String, Long> components(StackProcess stack) {
		Map<String, Long> pids = new LinkedHashMap<>();
		// the Kafka broker is a process of its own; the launcher only supervises
		for (String name : List.of("postgres", "redis", "kafka", "cdc-connector", "invalidator", "api-1", "api-2", "launcher")) {
			pids.put(name, stack.pid(name));
		}
		pids.put("bench (load, probes)", ProcessHandle.current().pid());
		return pids;
	}

	private void replay() {
		if (!this.options.replay()) {
			this.results.skipped.put("replay", "skipped with --no-replay");
			return;
		}
		this.progress.line("replay: the replay benchmark of scripts/bench-replay, --events %d (its own Kafka and Redis)...",
				this.options.replayEvents());
		try {
			ReplayFigure.Figure figure = ReplayFigure.run(this.home, this.options.replayEvents(),
					this.options.out().resolve("replay.log"));
			this.results.replay = figure;
			if (Double.isNaN(figure.eventsPerS())) {
				this.results.missing.put("replay", figure.note());
			}
			this.progress.line("replay: %.0f events/s", figure.eventsPerS());
		}
		catch (Exception ex) {
			this.results.missing.put("replay", "the replay benchmark could not run: " + ex);
		}
	}
}
