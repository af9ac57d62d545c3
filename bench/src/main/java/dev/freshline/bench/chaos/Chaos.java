package dev.freshline.bench.chaos;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

import org.jspecify.annotations.Nullable;

import dev.freshline.bench.BenchHttp;
import dev.freshline.bench.BenchProgress;
import dev.freshline.bench.Machine;
import dev.freshline.bench.Percentiles;
import dev.freshline.bench.StackProcess;
import dev.freshline.cache.audit.CachedEntryAudit;
import dev.freshline.embedded.FreePorts;
import dev.freshline.embedded.GroupCatchUp;
import dev.freshline.embedded.ServiceEnvironment;

/**
 * {@code scripts/chaos [--quick] [--scenario NAME] [--out DIR]}: starts its own stack in
 * {@code .freshline/chaos}, and for each scenario runs the load, injects the fault, ends it, waits
 * until the stack serves hits again and then until the pipeline is quiet, and checks the promises
 * (see {@link ScenarioResult}). Writes {@code chaos.md} and {@code chaos.json} and ends with the
 * RESULT line; exits 1 when a scenario failed.
 */
public final class Chaos {

	/** The API's fence bound, set explicitly: every read's staleness is held to it. */
	static final Duration MAX_STALENESS = Duration.ofSeconds(2);

	/** How often each API instance reads the applied watermarks (the API's default). */
	static final Duration FENCE_REFRESH = Duration.ofMillis(10);

	/**
	 * What the measurement may add beyond the bound: the fence's clock offset to Postgres, measured
	 * over loopback in whole milliseconds (the torture checker's allowance, with its reasons).
	 */
	static final Duration MEASUREMENT_ALLOWANCE = Duration.ofMillis(10);

	/** Reads go on this long after quiescence: any stale answer then is a lost invalidation seen by a reader. */
	private static final Duration QUIET_READS = Duration.ofSeconds(2);

	private static final Duration HEALTHY_BEFORE_FAULT = Duration.ofSeconds(120);

	/** A read that takes longer has failed for its client: I3 promises Postgres' answer within a Redis budget of 100 ms. */
	static final Duration READ_TIMEOUT = Duration.ofSeconds(5);

	private final Path home;

	private final ChaosOptions options;

	private final List<Scenario> scenarios;

	private final BenchProgress progress = new BenchProgress("chaos");

	private final BenchHttp http = new BenchHttp(READ_TIMEOUT);

	private Chaos(Path home, ChaosOptions options, List<Scenario> scenarios) {
		this.home = home;
		this.options = options;
		this.scenarios = scenarios;
	}

	public static void main(String[] args) throws Exception {
		Path home = Path.of(System.getProperty("freshline.home", ".")).toAbsolutePath().normalize();
		ChaosOptions options;
		List<Scenario> scenarios;
		try {
			options = ChaosOptions.parse(Arrays.asList(args), home);
			scenarios = select(options);
		}
		catch (IllegalArgumentException ex) {
			if (!ex.getMessage().isEmpty()) {
				System.err.println("scripts/chaos: " + ex.getMessage());
			}
			System.err.println(ChaosOptions.USAGE);
			System.exit(ex.getMessage().isEmpty() ? 0 : 2);
			return;
		}
		StackProcess.requireJar(home);
		String command = "scripts/chaos" + (args.length > 0 ? " " + String.join(" ", args) : "");
		int status = new Chaos(home, options, scenarios).run(command);
		// Kafka and Lettuce leave non-daemon threads behind
		System.exit(status);
	}

	static List<Scenario> select(ChaosOptions options) {
		List<Scenario> all = Scenario.all();
		if (options.scenario() != null) {
			List<Scenario> named = all.stream().filter((scenario) -> scenario.name().equals(options.scenario())).toList();
			if (named.isEmpty()) {
				throw new IllegalArgumentException("unknown scenario '" + options.scenario() + "'; one of "
						+ all.stream().map(Scenario::name).collect(Collectors.joining(", ")));
			}
			return named;
		}
		return options.quick() ? all.stream().filter(Scenario::quick).toList() : all;
	}

	private int run(String command) throws Exception {
		Machine machine = Machine.current();
		this.progress.line("machine: %s", machine.line());
		this.progress.line("%s run: %s", this.options.quick() ? "quick" : "full",
				this.scenarios.stream().map(Scenario::name).collect(Collectors.joining(", ")));
		Map<String, String> environment = new LinkedHashMap<>();
		// the fence reads the connector's markers; the bound is set, not left to a default
		environment.put(ServiceEnvironment.CDC_MARKERS, "true");
		environment.put(ServiceEnvironment.FRESHLINE_FENCE, "true");
		environment.put("FRESHLINE_MAX_STALENESS", MAX_STALENESS.toMillis() + "ms");
		List<ScenarioResult> results = new ArrayList<>();
		Map<Proxied, FaultProxy> proxies = new EnumMap<>(Proxied.class);
		for (Proxied server : this.scenarios.stream().map(Scenario::proxied).filter(Objects::nonNull).distinct().toList()) {
			// the server on a port chosen here, its clients sent to a proxy in front of it
			int serverPort = FreePorts.find();
			FaultProxy proxy = new FaultProxy(0, serverPort);
			proxies.put(server, proxy);
			environment.put(server.serverPortVariable(), Integer.toString(serverPort));
			environment.put(server.proxyPortVariable(), Integer.toString(proxy.port()));
			this.progress.line("%s listens on port %d, its clients go through a fault proxy on port %d", server.what(),
					serverPort, proxy.port());
		}
		this.progress.line("starting the stack in .freshline/chaos...");
		try (StackProcess stack = StackProcess.start(this.home, this.home.resolve(".freshline/chaos"), environment);
				StackProbe probe = new StackProbe(stack, this.http)) {
			this.progress.line("stack is up");
			this.http.authorize(stack);
			ChaosContext context = new ChaosContext(stack, probe, this.progress, proxies);
			ChaosLoad.Population population = ChaosLoad.Population.create(stack);
			for (Scenario scenario : this.scenarios) {
				ScenarioResult result = runAlone(scenario, scenario.fault().get(), context, population);
				results.add(result);
				this.progress.line("%s: %s", scenario.name(), summary(result));
			}
			this.progress.line("stopping the stack...");
		}
		catch (Exception ex) {
			this.progress.line("the run failed: %s", ex);
			ex.printStackTrace();
			for (Scenario scenario : this.scenarios.subList(results.size(), this.scenarios.size())) {
				results.add(ScenarioResult.failed(scenario.name(), scenario.what(), "the run failed before it: " + ex.getMessage()));
			}
		}
		proxies.values().forEach(FaultProxy::close);
		PostgresRestart.stopStarted();
		ChaosReport report = new ChaosReport(results, machine, command, Instant.now().toString());
		report.write(this.options.out());
		this.progress.line("wrote %s and chaos.json", this.options.out().resolve("chaos.md"));
		results.stream()
			.filter((result) -> result.status() == ScenarioResult.Status.FAILED)
			.forEach((result) -> this.progress.line("FAILED %s: %s", result.name(), String.join("; ", result.failures())));
		System.out.println(report.resultLine());
		return report.failed() ? 1 : 0;
	}

	/** One scenario; one that could not be carried out fails alone, and the next one starts from a healthy stack. */
	private ScenarioResult runAlone(Scenario scenario, Fault fault, ChaosContext context, ChaosLoad.Population population) {
		try (fault) {
			return run(scenario, fault, context, population);
		}
		catch (Exception ex) {
			this.progress.line("  %s could not be carried out: %s", scenario.name(), ex);
			return ScenarioResult.failed(scenario.name(), fault.description(), "could not be carried out: " + ex);
		}
	}

	private ScenarioResult run(Scenario scenario, Fault fault, ChaosContext context, ChaosLoad.Population population)
			throws Exception {
		StackProbe probe = context.probe();
		List<String> failures = new ArrayList<>();
		List<String> notes = new ArrayList<>();
		this.progress.line("%s: %s", scenario.name(), fault.description());
		String before = probe.commitProbe().orElse("0/0");
		GroupCatchUp healthy = probe.invalidatorCatchUp();
		if (!await(() -> probe.recovered(before, healthy), HEALTHY_BEFORE_FAULT)) {
			return ScenarioResult.failed(scenario.name(), fault.description(),
					"the stack did not serve hits within " + HEALTHY_BEFORE_FAULT.toSeconds() + " s before the fault");
		}
		Inspected inspectedBefore = inspected(context);
		ChaosLoad load = new ChaosLoad(context.stack(), this.http, population);
		load.start();
		long injected;
		long ended;
		double recovery = Double.NaN;
		@Nullable String outstanding;
		long quiet;
		CachedEntryAudit.Result audit;
		try {
			park(this.options.before());
			injected = System.nanoTime();
			fault.inject(context);
			try {
				park(fault.duration());
			}
			finally {
				fault.end(context);
			}
			ended = System.nanoTime();
			// a change committed once the fault ended; recovered when it is applied and served through the cache
			String[] after = { null };
			GroupCatchUp caughtUp = probe.invalidatorCatchUp();
			if (await(() -> {
				if (after[0] == null) {
					after[0] = probe.commitProbe().orElse(null);
				}
				return after[0] != null && over(fault, context) && probe.recovered(after[0], caughtUp);
			}, this.options.recoveryLimit())) {
				recovery = (System.nanoTime() - ended) / 1e9;
				this.progress.line("  recovered %.1f s after the fault ended: a change committed then (at %s) is applied, both"
						+ " instances serve hits, invalidator lag 0", recovery, after[0]);
			}
			else {
				this.progress.line("  not recovered within %d s", this.options.recoveryLimit().toSeconds());
			}
			park(this.options.after());
			long lastWrite = load.stopWriting();
			List<ChaosLoad.Write> written = List.copyOf(load.writes);
			String[] last = { "not checked" };
			GroupCatchUp applied = probe.invalidatorCatchUp();
			boolean reached = await(() -> (last[0] = probe.outstanding(written, load.lastWrite(), applied)) == null,
					this.options.quiescenceLimit());
			outstanding = reached ? null : last[0];
			quiet = System.nanoTime();
			notes.add(reached ? String.format("quiet %d ms after the last write", (quiet - lastWrite) / 1_000_000)
					: "not quiet within " + this.options.quiescenceLimit().toSeconds() + " s: " + outstanding);
			park(QUIET_READS);
		}
		finally {
			load.stopReading();
			try {
				load.stopWriting();
			}
			catch (Exception ex) {
				// only when the scenario already failed, whose exception says why: this one must not hide it
				this.progress.line("  stopping the writers failed too: %s", ex);
			}
		}
		String verified = fault.verify(context);
		probe.sweep();
		audit = probe.audit();
		Inspected inspected = inspected(context).since(inspectedBefore);
		notes.add(String.format("consistency inspector (the stack's invalidator): %d keys read back, %d older than their change and repaired",
				inspected.checked(), inspected.inconsistent()));
		if (!audit.unchecked().isEmpty()) {
			notes.add("cached keys of unknown shape: " + audit.unchecked().subList(0, Math.min(3, audit.unchecked().size())));
		}
		notes.add("audited " + audit.summary());

		List<ChaosLoad.Read> reads = List.copyOf(load.reads);
		List<ChaosLoad.Write> writes = List.copyOf(load.writes);
		Percentiles staleness = Percentiles.of(Staleness.of(reads, writes));
		int staleAfterQuiescence = countPositive(Staleness.of(reads.stream().filter((read) -> read.startNanos() > quiet).toList(), writes));
		long excused = reads.stream()
			.filter((read) -> isError(read, fault.faultedInstance()) && fault.excuses(read, injected, ended))
			.count();
		long errors = reads.stream().filter((read) -> isError(read, fault.faultedInstance())).count() - excused;
		long faultedUnanswered = excused + reads.stream()
			.filter((read) -> !read.answered() && read.instance() == fault.faultedInstance())
			.count();
		Map<String, Long> outcomes = reads.stream()
			.filter(ChaosLoad.Read::answered)
			.collect(Collectors.groupingBy(ChaosLoad.Read::cache, TreeMap::new, Collectors.counting()));
		double bound = MAX_STALENESS.plus(FENCE_REFRESH).plus(MEASUREMENT_ALLOWANCE).toNanos() / 1e6;
		Percentiles latency = Percentiles.of(reads.stream().filter(ChaosLoad.Read::answered).mapToDouble(ChaosLoad.Read::millis).toArray());
		notes.add(String.format("read latency p99 %.1f ms, max %.1f ms", latency.p99(), latency.max()));

		if (audit.staleTotal() > 0) {
			failures.add("I1: " + audit.staleTotal() + " cached entries older than their rows " + audit.examples());
		}
		if (staleAfterQuiescence > 0) {
			failures.add("I1: " + staleAfterQuiescence + " patient reads after quiescence returned an old version");
		}
		if (staleness.count() > 0 && staleness.max() > bound) {
			failures.add(String.format("I2: a read %.1f ms stale, beyond %.0f ms (max-staleness + one refresh + %d ms)",
					staleness.max(), bound, MEASUREMENT_ALLOWANCE.toMillis()));
		}
		if (errors > 0) {
			failures.add("I3: " + errors + " reads got a 5xx, timed out or found no instance "
					+ errorKinds(reads.stream().filter((read) -> !fault.excuses(read, injected, ended)).toList(), fault));
		}
		if (!Double.isFinite(recovery)) {
			failures.add("not recovered within " + this.options.recoveryLimit().toSeconds() + " s");
		}
		if (outstanding != null) {
			failures.add("not quiet: " + outstanding);
		}
		if (verified != null) {
			failures.add(verified);
		}
		if (load.writes.isEmpty()) {
			failures.add("no write committed: the load did not run");
		}
		return new ScenarioResult(scenario.name(), fault.description(),
				failures.isEmpty() ? ScenarioResult.Status.PASSED : ScenarioResult.Status.FAILED, failures, audit.staleTotal(),
				audit.checkedTotal(), staleAfterQuiescence, staleness.p99(), staleness.max(), reads.size(), outcomes, errors,
				faultedUnanswered, recovery, writes.size(), load.writeFailures.sum(), notes, inspected.checked(),
				inspected.inconsistent());
	}

	/** The stack's invalidator's inspector counts now; zero where it does not answer (restarting). */
	private Inspected inspected(ChaosContext context) {
		String management = context.stack().management("invalidator");
		double checked = this.http.counter(management, "freshline.inspector.checked");
		double inconsistent = this.http.counter(management, "freshline.inspector.inconsistent");
		return new Inspected(Double.isFinite(checked) ? (long) checked : 0, Double.isFinite(inconsistent) ? (long) inconsistent : 0);
	}

	/** The inspector's counters, which a restarted invalidator starts again from zero. */
	private record Inspected(long checked, long inconsistent) {

		Inspected since(Inspected before) {
			// lower than before: the process restarted during the scenario, and counted only since
			return (this.checked >= before.checked) ? new Inspected(this.checked - before.checked, this.inconsistent - before.inconsistent)
					: this;
		}
	}

	private static boolean over(Fault fault, ChaosContext context) {
		try {
			return fault.over(context);
		}
		catch (Exception ex) {
			return false;
		}
	}

	/** A 5xx from any instance; no answer (timed out, refused) from an instance the fault did not take away. */
	static boolean isError(ChaosLoad.Read read, int faultedInstance) {
		return read.status() >= 500 || (!read.answered() && read.instance() != faultedInstance);
	}

	private static String errorKinds(List<ChaosLoad.Read> reads, Fault fault) {
		return reads.stream()
			.filter((read) -> isError(read, fault.faultedInstance()))
			.collect(Collectors.groupingBy((read) -> "api-" + (read.instance() + 1) + " " + switch (read.status()) {
				case ChaosLoad.TIMED_OUT -> "timed out";
				case ChaosLoad.UNREACHABLE -> "unreachable";
				default -> Integer.toString(read.status());
			}, TreeMap::new, Collectors.counting()))
			.toString();
	}

	private static int countPositive(double[] values) {
		return (int) Arrays.stream(values).filter((value) -> value > 0).count();
	}

	private static String summary(ScenarioResult result) {
		return String.format(java.util.Locale.ROOT,
				"%s: lost %d of %d, stale after quiescence %d, staleness p99 %.1f ms max %.1f ms, %d errors, recovery %s%s",
				result.status().label, result.lost(), result.entriesChecked(), result.staleAfterQuiescence(),
				result.stalenessP99Ms(), result.stalenessMaxMs(), result.errors(),
				Double.isFinite(result.recoverySeconds()) ? String.format(java.util.Locale.ROOT, "%.1f s", result.recoverySeconds())
						: "none",
				result.failures().isEmpty() ? "" : " (" + String.join("; ", result.failures()) + ")");
	}

	/** Polls {@code condition} every 250 ms until it holds (true) or {@code timeout} passed (false). */
	private static boolean await(BooleanSupplier condition, Duration timeout) {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (true) {
			if (condition.getAsBoolean()) {
				return true;
			}
			if (System.nanoTime() > deadline) {
				return false;
			}
			park(Duration.ofMillis(250));
		}
	}

	/** The harness runs the load for fixed times; it is a tool, not a test waiting on a condition. */
	private static void park(Duration duration) {
		long until = System.nanoTime() + duration.toNanos();
		while (System.nanoTime() < until) {
			LockSupport.parkNanos(until - System.nanoTime());
		}
	}
}
