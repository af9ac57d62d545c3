package dev.freshline.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/** Everything one run measured, filled in as scenarios finish; what stays null is reported as NaN with its reason. */
final class BenchResults {

	final Machine machine;

	final BenchOptions options;

	/** The rates the cluster stack runs at: the one the goals name, and a tenth of it, where replication's own cost shows. */
	static final List<Integer> CLUSTER_RATES = List.of(100, 1000);

	final String command;

	final Map<String, Object> versions = new LinkedHashMap<>();

	final Map<String, Object> configuration = new LinkedHashMap<>();

	final List<LagResult> lag = new ArrayList<>();

	/** The stock-Debezium stack's lag steps, one per rate of {@link BenchOptions#stockRates()}. */
	final List<LagResult> stock = new ArrayList<>();

	final Map<String, Map<String, Double>> cpuDuringSteps = new LinkedHashMap<>();

	/** How long each step's CPU window lasted: the load and the wait for its last deletes. */
	final Map<String, Double> cpuWindowSeconds = new LinkedHashMap<>();

	double connectorIdleCores = Double.NaN;

	/** The Freshline stack's start, built jars, as {@code scripts/run-local} starts it (the run's JVM flags). */
	double coldStartSeconds = Double.NaN;

	double stockConnectorIdleCores = Double.NaN;

	TimeToVisible.@Nullable Figures visible;

	ApiReads.@Nullable Figures reads;

	HotKey.@Nullable Figures hotKey;

	ReplayFigure.@Nullable Figure replay;

	FenceCost.@Nullable Figures fenceCost;

	AfterReads.@Nullable Figures afterReads;

	PausedStaleness.@Nullable Figures paused;

	BulkUpdate.@Nullable Figures bulk;

	InspectorCost.@Nullable Figures inspectorCost;

	/**
	 * The cluster stack's (Redis Cluster, three brokers) steps at {@link #CLUSTER_RATES}, beside
	 * the single stack's at the same rates.
	 */
	final List<LagResult> cluster = new ArrayList<>();

	/** The cluster stack's start, as {@link #coldStartSeconds}. */
	double clusterColdStartSeconds = Double.NaN;

	FailoverStaleness.@Nullable Figures redisFailover;

	FailoverStaleness.@Nullable Figures brokerLoss;

	/** Scenario -> why it could not be measured: each one fails the run (a non-zero exit). */
	final Map<String, String> missing = new LinkedHashMap<>();

	/** Scenario -> the option that left it out: not asked for, so not a failure. */
	final Map<String, String> skipped = new LinkedHashMap<>();

	final List<String> profiles = new ArrayList<>();

	BenchResults(Machine machine, BenchOptions options, String command) {
		this.machine = machine;
		this.options = options;
		this.command = command;
	}

	@Nullable LagResult lagAt(int rate) {
		return at(this.lag, rate);
	}

	@Nullable LagResult clusterAt(int rate) {
		return at(this.cluster, rate);
	}

	@Nullable LagResult stockAt(int rate) {
		return at(this.stock, rate);
	}

	private static @Nullable LagResult at(List<LagResult> steps, int rate) {
		return steps.stream().filter((step) -> step.rate() == rate).findFirst().orElse(null);
	}
}
