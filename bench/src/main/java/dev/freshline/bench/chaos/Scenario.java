package dev.freshline.bench.chaos;

import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;

/**
 * One row of the fault matrix: a name for {@code --scenario}, whether {@code --quick} runs it, and
 * the fault, or why the harness cannot inject it yet (then it is reported as not run, never left out).
 */
record Scenario(String name, String what, boolean quick, @Nullable Supplier<Fault> fault, @Nullable String notBuilt,
		boolean redisProxy) {

	static final Duration PAUSE = Duration.ofSeconds(20);

	static Scenario of(String name, boolean quick, Supplier<Fault> fault) {
		return new Scenario(name, fault.get().description(), quick, fault, null, false);
	}

	/** A scenario whose fault is the {@link FaultProxy} between the services and Redis. */
	static Scenario throughRedisProxy(String name, Supplier<Fault> fault) {
		return new Scenario(name, fault.get().description(), false, fault, null, true);
	}

	static Scenario notBuilt(String name, String what, String reason) {
		return new Scenario(name, what, false, null, reason, false);
	}

	/** The matrix of issue 14, in the order a full run takes it. */
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
				throughRedisProxy("redis-unreachable", () -> RedisNetworkFault.unreachable(PAUSE)),
				throughRedisProxy("redis-latency", () -> RedisNetworkFault.slow(PAUSE)),
				notBuilt("redis-restart-from-rdb", "Redis restarted from an RDB written before recent invalidations",
						"the local stack runs Redis without persistence; RedisRestartIntegrationTests covers it against a real redis-server"),
				of("pause-kafka", false, () -> new ProcessPause("kafka", "the Kafka broker (nothing answers, connections stay open)", PAUSE)),
				notBuilt("kafka-unreachable", "the broker unreachable for 20 s through the fault proxy",
						"the broker advertises its own port, so a proxy needs an advertised-listener option in the launcher; pause-kafka is the same silence"),
				of("postgres-fast-restart", false, () -> new PostgresRestart(true)),
				of("postgres-crash-restart", false, () -> new PostgresRestart(false)),
				of("retention-deletes-unapplied", false, () -> new RetentionGap(PAUSE)),
				// last: before main's fix (docs/chaos.md) the connector did not recover from it, and a
				// connector that regresses would fail every later scenario's "healthy first" step
				of("slot-dropped", false, SlotDrop::new));
	}
}
