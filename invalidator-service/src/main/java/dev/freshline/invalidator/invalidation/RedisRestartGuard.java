package dev.freshline.invalidator.invalidation;

import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.SmartLifecycle;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.stereotype.Component;

import dev.freshline.cache.FlushCause;
import dev.freshline.cache.ServerLifetime;
import dev.freshline.invalidator.InvalidatorProperties;
import dev.freshline.invalidator.PeriodicTask;
import dev.freshline.model.CacheKeys;
import dev.freshline.model.RuleSet;

/**
 * No delete acknowledged and then undone (I4). The invalidator commits an offset once Redis'
 * primary replied to its deletes; a Redis that restarts from a snapshot written before them (RDB,
 * or an AOF not fsynced yet), or a replica promoted before it received them, brings the deleted
 * values back, and nothing would remove them before their TTL. Such a server is told by its run
 * id ({@link ServerLifetime}): whenever the run id recorded with the data is not the server's
 * own, every namespace of the rules is flushed and only then is the server's run id recorded; on a
 * Redis Cluster, for each primary, whose record lives in its own slots.
 * Checked when the invalidator starts (before its consumers do) and every
 * {@code redis-restart-check} after, counted in {@code freshline.invalidator.redis.restarts}. A
 * restart that lost nothing (AOF with {@code appendfsync always}) flushes too: a cold cache is the
 * price of never serving a value whose delete was lost.
 */
@Component
class RedisRestartGuard implements SmartLifecycle {

	private static final Logger log = LoggerFactory.getLogger(RedisRestartGuard.class);

	private final ServerLifetime lifetime;

	private final NamespaceFlusher flusher;

	private final RuleSet rules;

	private final MeterRegistry meters;

	private final Duration interval;

	private final PeriodicTask checks;

	/** Whether the last check failed, so that an outage is logged once, not every interval. */
	private volatile boolean failing;

	RedisRestartGuard(RedisConnectionFactory connections, CacheKeys keys, NamespaceFlusher flusher, RuleSet rules,
			MeterRegistry meters, InvalidatorProperties properties) {
		this.lifetime = new ServerLifetime(connections, keys);
		this.flusher = flusher;
		this.rules = rules;
		this.meters = meters;
		this.interval = properties.redisRestartCheck();
		this.checks = new PeriodicTask("redis-restart-guard", this.interval, this.interval, this::checkAndLog);
	}

	/**
	 * Flushes every namespace if any primary (the one server of a single Redis, each primary of a
	 * cluster) is not the server lifetime its data was written in, then records each one's own.
	 * A cluster's failover of one primary flushes every namespace on every primary: simpler than a
	 * flush of one primary's slots, and a failover is rare.
	 */
	void check() {
		List<ServerLifetime.Lifetime> changed = this.lifetime.reconcile((lifetimes) -> this.flusher
			.flush(this.rules.namespaces().keySet(), FlushCause.REDIS_RESTART, reason(lifetimes)));
		if (!changed.isEmpty()) {
			this.meters.counter("freshline.invalidator.redis.restarts").increment(changed.size());
		}
	}

	private static String reason(List<ServerLifetime.Lifetime> lifetimes) {
		return lifetimes.stream().map((lifetime) -> {
			String server = lifetime.server();
			return (lifetime.recorded() == null)
					? server + " holds no record of the server lifetime its entries belong to: a new or emptied server, "
							+ "or one restored from a snapshot older than that record"
					: server + " runs as " + lifetime.current() + " but its data was last checked under " + lifetime.recorded()
							+ ": it restarted from a snapshot or a replica was promoted, so deletes acknowledged before may be lost";
		}).collect(Collectors.joining("; "));
	}

	private void checkAndLog() {
		try {
			check();
			if (this.failing) {
				log.info("Redis' server lifetime can be checked again");
			}
			this.failing = false;
		}
		catch (RuntimeException ex) {
			if (!this.failing) {
				log.warn("Cannot check Redis' server lifetime, retrying every {}: {}", this.interval, ex.toString());
			}
			this.failing = true;
		}
	}

	@Override
	public void start() {
		// before the consumers start (an earlier phase): a Redis restored while the invalidator was
		// down is flushed before anything else touches it; a Redis down now is retried below
		checkAndLog();
		this.checks.start();
	}

	@Override
	public void stop() {
		this.checks.stop();
	}

	@Override
	public boolean isRunning() {
		return this.checks.isRunning();
	}

	@Override
	public int getPhase() {
		return 0;
	}
}
