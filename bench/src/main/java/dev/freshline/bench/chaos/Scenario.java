package dev.freshline.bench.chaos;

import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;

/**
 * One row of the fault matrix: a name for {@code --scenario}, whether {@code --quick} runs it, and
 * the fault, or why the harness cannot inject it yet (then it is reported as not run, never left out).
 */
record Scenario(String name, String what, boolean quick, @Nullable Supplier<Fault> fault, @Nullable String notBuilt) {

	static final Duration PAUSE = Duration.ofSeconds(20);

	static Scenario of(String name, boolean quick, Supplier<Fault> fault) {
		return new Scenario(name, fault.get().description(), quick, fault, null);
	}

	static Scenario notBuilt(String name, String what, String reason) {
		return new Scenario(name, what, false, null, reason);
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
				notBuilt("two-invalidators-kill-one", "two invalidators in the group, one SIGKILLed mid-batch",
						"the launcher starts one invalidator process; a second one needs a launcher option"),
				notBuilt("rebalance-storm", "an extra invalidator started and stopped every few seconds",
						"needs the same second invalidator process"),
				notBuilt("redis-unreachable", "Redis unreachable for 20 s (TCP fault proxy: drop)",
						"the TCP fault proxy and a launcher option to put it before Redis are not built"),
				notBuilt("redis-latency", "200 ms extra latency per Redis command for 20 s (TCP fault proxy: delay)",
						"the TCP fault proxy is not built"),
				notBuilt("redis-restart-from-rdb", "Redis restarted from an RDB written before recent invalidations",
						"the local stack runs Redis without persistence; needs an RDB-backed Redis"),
				notBuilt("kafka-unreachable", "the broker unreachable for 20 s (TCP fault proxy: drop)",
						"the TCP fault proxy is not built"),
				notBuilt("postgres-fast-restart", "Postgres fast restart (pg_ctl restart -m fast)",
						"Postgres is not supervised by the launcher"),
				notBuilt("postgres-crash-restart", "Postgres immediate stop and restart",
						"Postgres is not supervised by the launcher"),
				notBuilt("slot-dropped", "the replication slot dropped while the connector runs",
						"not built yet; a known open gap (docs/design.md): no flush is sent"),
				notBuilt("retention-deletes-unapplied", "retention deleting records the group has not applied",
						"not built yet"));
	}
}
