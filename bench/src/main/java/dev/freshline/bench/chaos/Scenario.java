package dev.freshline.bench.chaos;

import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;

/**
 * One row of the fault matrix: a name for {@code --scenario}, whether {@code --quick} runs it, the
 * fault, and the server the run must put a fault proxy in front of, if the fault needs one.
 */
record Scenario(String name, String what, boolean quick, Supplier<Fault> fault, @Nullable Proxied proxied) {

	static final Duration PAUSE = Duration.ofSeconds(20);

	static Scenario of(String name, boolean quick, Supplier<Fault> fault) {
		return new Scenario(name, fault.get().description(), quick, fault, null);
	}

	/** A scenario whose fault is a {@link FaultProxy} in front of a server, which the run then starts. */
	static Scenario throughProxy(String name, Supplier<NetworkFault> fault) {
		return new Scenario(name, fault.get().description(), false, fault::get, fault.get().server());
	}

	/** The whole matrix, in the order a full run takes it. */
	static List<Scenario> all() {
		return List.of(
				of("kill-connector", true, () -> new ProcessKill("cdc-connector", "the cdc-connector (the launcher restarts it)")),
				of("kill-invalidator", true, () -> new ProcessKill("invalidator", "the invalidator (the launcher restarts it)")),
				of("kill-api-1", true, () -> new ProcessKill("api-1", "api-1 (the launcher restarts it)")),
				of("restart-redis", true, () -> new ProcessKill("redis", "redis-server (the launcher restarts it, empty)")),
				of("kill-kafka", true, () -> new ProcessKill("kafka", "the Kafka broker (the launcher restarts it with its data)")),
				of("poison-records", true, PoisonRecords::new),
				of("pause-connector", false, () -> new ProcessPause("cdc-connector", "the cdc-connector", PAUSE)),
				of("pause-invalidator", false, () -> new ProcessPause("invalidator", "the invalidator", PAUSE)),
				of("pause-api-1", false, () -> new ProcessPause("api-1", "api-1", PAUSE)),
				of("two-invalidators-kill-one", false, PeerKill::new),
				of("rebalance-storm", false, () -> new RebalanceStorm(Duration.ofSeconds(60))),
				throughProxy("redis-unreachable", () -> NetworkFault.unreachable(Proxied.REDIS, PAUSE)),
				throughProxy("redis-latency", () -> NetworkFault.slow(Proxied.REDIS, PAUSE)),
				of("redis-restart-from-rdb", false, RedisSnapshotRestart::new),
				of("pause-kafka", false, () -> new ProcessPause("kafka", "the Kafka broker (nothing answers, connections stay open)", PAUSE)),
				throughProxy("kafka-unreachable", () -> NetworkFault.unreachable(Proxied.KAFKA, PAUSE)),
				of("postgres-fast-restart", false, () -> new PostgresRestart(true)),
				of("postgres-crash-restart", false, () -> new PostgresRestart(false)),
				of("retention-deletes-unapplied", false, () -> new RetentionGap(PAUSE)),
				// last: before main's fix (docs/chaos.md) the connector did not recover from it, and a
				// connector that regresses would fail every later scenario's "healthy first" step
				of("slot-dropped", false, SlotDrop::new));
	}
}
