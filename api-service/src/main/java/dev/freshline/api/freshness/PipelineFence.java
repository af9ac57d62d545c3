package dev.freshline.api.freshness;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.SmartLifecycle;

import dev.freshline.api.ApiProperties;
import dev.freshline.model.Namespace;
import dev.freshline.model.RuleSet;
import dev.freshline.model.Watermark;

/**
 * The freshness fence. The invalidator records, per partition of every change topic, the
 * watermark it has applied: every transaction committed at or before its LSN has been
 * invalidated in that partition. A namespace is as fresh as the oldest applied watermark of the
 * partitions of the tables that feed it, so this instance reads those watermarks from Redis in
 * the background (every {@code fence.refresh}, never per request) and keeps that minimum.
 * A read is served through the cache only while the minimum is at most {@code max-staleness}
 * old by Postgres' clock and, if the request names a commit position ({@code Freshline-After}),
 * covers it, after waiting up to {@code fence.after-wait} for a refresh that does. Otherwise it
 * bypasses the cache: the staleness of anything it serves is then Postgres', none.
 * <p>
 * Why this bounds staleness whatever breaks: a cached value can only be older than a commit the
 * watermark does not cover yet (fills below a floor are refused), and the watermark's age grows
 * with the clock once anything between Postgres and Redis stops, the refresh itself included.
 */
public final class PipelineFence implements SmartLifecycle {

	private static final Logger log = LoggerFactory.getLogger(PipelineFence.class);

	/** By LSN; by time between equal LSNs, which only a partition re-delivering an old marker makes. */
	private static final Comparator<Watermark> OLDEST_FIRST = Comparator.comparingLong(Watermark::lsn)
		.thenComparingLong(Watermark::commitMillis);

	private final ApiProperties.Fence settings;

	private final Map<Namespace, List<String>> tablesOf;

	/** Every table feeding a namespace, each once: what a refresh reads. */
	private final List<String> tables;

	private final Function<String, Map<Integer, Watermark>> watermarks;

	private final PostgresClock clock;

	/** Each table's oldest partition watermark; written by the refresh thread only. */
	private final Map<String, Watermark> byTable = new HashMap<>();

	private volatile Map<Namespace, Watermark> applied = Map.of();

	private final ReentrantLock lock = new ReentrantLock();

	private final Condition refreshed = this.lock.newCondition();

	private final Counter afterWaits;

	private volatile boolean refreshFailing;

	private @Nullable ScheduledExecutorService scheduler;

	PipelineFence(ApiProperties.Fence settings, RuleSet rules, Function<String, Map<Integer, Watermark>> watermarks,
			PostgresClock clock, MeterRegistry meters) {
		this.settings = settings;
		this.tablesOf = tablesOf(rules);
		this.tables = this.tablesOf.values().stream().flatMap(List::stream).distinct().toList();
		this.watermarks = watermarks;
		this.clock = clock;
		this.afterWaits = meters.counter("freshline.cache.after.waits");
		for (Namespace namespace : this.tablesOf.keySet()) {
			Gauge.builder("freshline.pipeline.staleness", () -> ageMillis(namespace).map((age) -> age / 1000.0).orElse(Double.NaN))
				.tag("namespace", namespace.id())
				.baseUnit("seconds")
				.description("Age of the oldest applied watermark of the partitions feeding the namespace, by Postgres' clock")
				.register(meters);
		}
	}

	/** Every namespace the rules can invalidate, with the tables whose changes do. */
	private static Map<Namespace, List<String>> tablesOf(RuleSet rules) {
		Map<Namespace, List<String>> tables = new LinkedHashMap<>();
		for (String table : rules.tables().keySet()) {
			Set<Namespace> namespaces = rules.namespacesOf(table);
			namespaces.forEach((namespace) -> tables.computeIfAbsent(namespace, (any) -> new ArrayList<>()).add(table));
		}
		tables.replaceAll((namespace, list) -> List.copyOf(list));
		return Map.copyOf(tables);
	}

	/**
	 * Whether a read of {@code namespace} may use the cache: empty if so, else why not. With
	 * {@code after} (a commit LSN), it may wait up to {@code fence.after-wait} for the watermark.
	 */
	public Optional<BypassReason> admit(Namespace namespace, @Nullable Long after) {
		if (!this.settings.enabled()) {
			return Optional.empty();
		}
		Watermark watermark = this.applied.get(namespace);
		if (watermark == null) {
			return Optional.of(BypassReason.NO_WATERMARK);
		}
		if (this.clock.now() - watermark.commitMillis() > this.settings.maxStaleness().toMillis()) {
			return Optional.of(BypassReason.STALE_PIPELINE);
		}
		if (after != null && !watermark.covers(after) && !awaitCoverage(namespace, after)) {
			return Optional.of(BypassReason.AFTER_NOT_APPLIED);
		}
		return Optional.empty();
	}

	private boolean awaitCoverage(Namespace namespace, long after) {
		// how often read-your-writes had to wait: a read that names a position it just wrote
		this.afterWaits.increment();
		long deadline = System.nanoTime() + this.settings.afterWait().toNanos();
		this.lock.lock();
		try {
			while (true) {
				Watermark watermark = this.applied.get(namespace);
				if (watermark != null && watermark.covers(after)) {
					return true;
				}
				long left = deadline - System.nanoTime();
				if (left <= 0) {
					return false;
				}
				this.refreshed.awaitNanos(left);
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return false;
		}
		finally {
			this.lock.unlock();
		}
	}

	/** The oldest applied watermark of the partitions feeding {@code namespace}, if each has one. */
	public Optional<Watermark> applied(Namespace namespace) {
		return Optional.ofNullable(this.applied.get(namespace));
	}

	/** How old {@link #applied} is by Postgres' clock. */
	public Optional<Long> ageMillis(Namespace namespace) {
		return applied(namespace).map((watermark) -> Math.max(0, this.clock.now() - watermark.commitMillis()));
	}

	public Set<Namespace> namespaces() {
		return this.tablesOf.keySet();
	}

	public ApiProperties.Fence settings() {
		return this.settings;
	}

	long clockOffsetMillis() {
		return this.clock.offsetMillis();
	}

	long clockUncertaintyMillis() {
		return this.clock.uncertaintyMillis();
	}

	/**
	 * Reads every table's applied watermarks and publishes each namespace's minimum. A table whose
	 * read fails keeps its last value, whose age keeps growing: a Redis that cannot be read makes
	 * the fence stricter, never looser.
	 */
	void refresh() {
		boolean failed = false;
		for (String table : this.tables) {
			try {
				this.watermarks.apply(table)
					.values()
					.stream()
					.min(OLDEST_FIRST)
					.ifPresentOrElse((oldest) -> this.byTable.put(table, oldest), () -> this.byTable.remove(table));
			}
			catch (RuntimeException ex) {
				failed = true;
				if (!this.refreshFailing) {
					log.warn("Reading the applied watermarks of {} failed ({}); the fence keeps the last ones, which age", table,
							ex.toString());
				}
			}
		}
		if (this.refreshFailing && !failed) {
			log.info("The applied watermarks can be read again");
		}
		this.refreshFailing = failed;
		Map<Namespace, Watermark> next = new HashMap<>();
		this.tablesOf.forEach((namespace, tables) -> oldest(tables).ifPresent((watermark) -> next.put(namespace, watermark)));
		this.applied = Map.copyOf(next);
		this.lock.lock();
		try {
			this.refreshed.signalAll();
		}
		finally {
			this.lock.unlock();
		}
	}

	/** The oldest watermark of {@code tables}, or empty if one of them has none. */
	private Optional<Watermark> oldest(List<String> tables) {
		Watermark oldest = null;
		for (String table : tables) {
			Watermark watermark = this.byTable.get(table);
			if (watermark == null) {
				return Optional.empty();
			}
			if (oldest == null || OLDEST_FIRST.compare(watermark, oldest) < 0) {
				oldest = watermark;
			}
		}
		return Optional.ofNullable(oldest);
	}

	@Override
	public void start() {
		if (!this.settings.enabled()) {
			log.warn("The freshness fence is off (freshline.api.fence.enabled=false): if invalidation stops, cached "
					+ "entries stay stale until their TTL");
			return;
		}
		ScheduledExecutorService executor = Executors.newScheduledThreadPool(2, (task) -> {
			Thread thread = new Thread(task, "freshline-fence");
			thread.setDaemon(true);
			return thread;
		});
		// before the first request: a healthy pipeline is used from the start, not after a bypass
		this.clock.sync();
		refresh();
		executor.scheduleWithFixedDelay(this::refreshQuietly, this.settings.refresh().toNanos(),
				this.settings.refresh().toNanos(), TimeUnit.NANOSECONDS);
		executor.scheduleWithFixedDelay(this.clock::sync, this.settings.clockSync().toMillis(),
				this.settings.clockSync().toMillis(), TimeUnit.MILLISECONDS);
		this.scheduler = executor;
	}

	private void refreshQuietly() {
		try {
			refresh();
		}
		catch (RuntimeException ex) {
			// a scheduled task that throws is never run again: the fence would freeze (and age)
			log.warn("Refreshing the freshness fence failed", ex);
		}
	}

	@Override
	public void stop() {
		ScheduledExecutorService executor = this.scheduler;
		if (executor != null) {
			this.scheduler = null;
			// let a refresh in flight finish: interrupted, its Redis call would fail and log a warning
			executor.shutdown();
			try {
				if (!executor.awaitTermination(1, TimeUnit.SECONDS)) {
					executor.shutdownNow();
				}
			}
			catch (InterruptedException ex) {
				executor.shutdownNow();
				Thread.currentThread().interrupt();
			}
		}
	}

	@Override
	public boolean isRunning() {
		return this.scheduler != null;
	}
}
