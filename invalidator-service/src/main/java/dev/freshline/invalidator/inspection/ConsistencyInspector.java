package dev.freshline.invalidator.inspection;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.core.instrument.MeterRegistry;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

import dev.freshline.cache.CacheCommands;
import dev.freshline.cache.CacheCommands.Inspection;
import dev.freshline.cache.audit.CachedRows;
import dev.freshline.invalidator.InvalidatorProperties;
import dev.freshline.invalidator.PeriodicTask;
import dev.freshline.invalidator.invalidation.AppliedChanges;
import dev.freshline.invalidator.invalidation.InvalidationHooks;
import dev.freshline.model.CacheKeys;
import dev.freshline.model.ChangeEvent;
import dev.freshline.model.Consistency;
import dev.freshline.model.Invalidation;
import dev.freshline.model.Namespace;
import dev.freshline.model.RuleSet;

/**
 * Reads back, a grace period after each applied change, every key the change invalidated, and
 * finds entries older than the change: an entity cached below its key's floor (the fill protocol
 * never stores one: a fill below the floor is refused, an invalidation deletes the value as it
 * raises the floor), or any entry holding the changed row at a version older than the change.
 * Such an entry is what a bug, a lost delete or a bad replica leaves; it is counted per
 * namespace, logged with its key and versions (never a value), and repaired by the protocol's
 * own invalidation. The value and floor are read in one script, so an invalidation between the
 * two reads cannot look like an inconsistency. Only keys a check applies to are counted as
 * checked, so the nines it reports are the ones its sample supports.
 */
@Component
class ConsistencyInspector implements AppliedChanges, SmartLifecycle {

	private static final Logger log = LoggerFactory.getLogger(ConsistencyInspector.class);

	/** Keys waiting for their grace to pass beyond this are not inspected (and counted): memory stays bounded. */
	private static final int MAX_PENDING = 1_000_000;

	private final InvalidatorProperties.Inspector settings;

	private final CacheCommands commands;

	private final CacheKeys keys;

	private final InvalidationHooks hooks;

	private final ConcurrentLinkedQueue<Pending> pending = new ConcurrentLinkedQueue<>();

	private final AtomicInteger size = new AtomicInteger();

	private final InspectorMeters meters;

	private final PeriodicTask inspections;

	/** Whether applied changes are queued for a read-back: the setting at start, then {@link InspectorEndpoint}'s switch. */
	private volatile boolean active;

	ConsistencyInspector(InvalidatorProperties properties, CacheCommands commands, RuleSet rules,
			ObjectProvider<InvalidationHooks> hooks, MeterRegistry registry) {
		this.settings = properties.inspector();
		this.commands = commands;
		this.keys = new CacheKeys(properties.keyPrefix());
		this.hooks = hooks.getIfAvailable(() -> InvalidationHooks.NONE);
		this.meters = new InspectorMeters(registry, rules);
		this.inspections = new PeriodicTask("freshline-inspector", this.settings.interval(), this.settings.interval(),
				this::inspectDue);
		this.active = this.settings.enabled();
	}

	@Override
	public void applied(List<Applied> changes) {
		if (!this.active) {
			return;
		}
		long due = System.nanoTime() + this.settings.grace().toNanos();
		for (Applied change : changes) {
			if (this.settings.sampleRate() < 1 && ThreadLocalRandom.current().nextDouble() >= this.settings.sampleRate()) {
				continue;
			}
			ChangedRow row = ChangedRow.of(change.event());
			for (Invalidation invalidation : change.invalidations()) {
				if (invalidation.floor() == Invalidation.NO_FLOOR && row == null) {
					continue; // nothing to compare an entry with: not a check
				}
				if (this.size.incrementAndGet() > MAX_PENDING) {
					this.size.decrementAndGet();
					this.meters.skipped.increment();
					continue;
				}
				this.pending.add(new Pending(invalidation.key(), row, due));
			}
		}
	}

	/** Inspects every key whose grace has passed; the inspector's thread runs it every {@code interval}. */
	void inspectDue() {
		long now = System.nanoTime();
		Map<String, Pending> due = new LinkedHashMap<>();
		for (Pending next = this.pending.peek(); next != null && next.due() - now <= 0; next = this.pending.peek()) {
			this.pending.poll();
			this.size.decrementAndGet();
			// one read per key: a later change of the same key asks at least as much
			due.merge(next.key(), next, (earlier, later) -> later.row() != null ? later : earlier);
			if (due.size() == 10_000) {
				inspect(due);
				due.clear();
			}
		}
		inspect(due);
	}

	private void inspect(Map<String, Pending> due) {
		if (due.isEmpty()) {
			return;
		}
		due.keySet().forEach(this.hooks::beforeInspection);
		List<Inspection> seen;
		try {
			seen = this.commands.inspect(new ArrayList<>(due.keySet()));
		}
		catch (RuntimeException ex) {
			// not counted as checked: the figures only cover what was read
			this.meters.failed.increment(due.size());
			log.warn("Could not inspect {} keys: {}", due.size(), ex.toString());
			return;
		}
		for (Inspection inspection : seen) {
			Namespace namespace = this.keys.namespaceOf(inspection.key());
			Stale stale;
			try {
				stale = Stale.find(inspection, due.get(inspection.key()).row());
			}
			catch (RuntimeException ex) {
				// a value that is no entity or list of rows: not the API's, so not checked
				this.meters.failed.increment();
				log.warn("Could not read the entry of {} as rows: {}", inspection.key(), ex.toString());
				continue;
			}
			this.meters.checked(namespace).increment();
			if (stale != null) {
				this.meters.inconsistent(namespace).increment();
				repair(inspection, stale);
			}
		}
	}

	private void repair(Inspection inspection, Stale stale) {
		boolean entity = stale.floor() != Invalidation.NO_FLOOR;
		log.warn("Inconsistent cache entry {}: it holds version {}, the change applied {} ago requires {}{}",
				inspection.key(), stale.cached(), this.settings.grace(),
				(stale.required() == Invalidation.DELETED) ? "none: the row was deleted" : "at least " + stale.required(),
				this.settings.repair() ? "; invalidating it" : " (repair is off)");
		if (!this.settings.repair()) {
			return;
		}
		try {
			this.commands.invalidate(List.of(new Invalidation(inspection.key(), entity ? stale.floor() : Invalidation.NO_FLOOR)));
			this.meters.repaired.increment();
		}
		catch (RuntimeException ex) {
			log.warn("Could not repair {}: {}", inspection.key(), ex.toString());
		}
	}

	/** Checked and inconsistent counts so far, and the nines they support. */
	Consistency consistency() {
		return this.meters.consistency();
	}

	boolean active() {
		return this.active;
	}

	/**
	 * Pauses or resumes queuing: keys queued before a pause are still read back when due, since
	 * their changes were applied while the inspector was on.
	 */
	void activate(boolean active) {
		if (active != this.active) {
			log.info("Consistency inspector {}", active ? "resumed" : "paused");
		}
		this.active = active;
	}

	@Override
	public void start() {
		// also when configured off: a switch may turn it on, and an idle tick reads nothing
		this.inspections.start();
	}

	@Override
	public void stop() {
		this.inspections.stop();
	}

	@Override
	public boolean isRunning() {
		return this.inspections.isRunning();
	}

	/** A key to read back once {@code due} (System.nanoTime) has passed; {@code row} when the change named one. */
	private record Pending(String key, @Nullable ChangedRow row, long due) {
	}

	/**
	 * The row a change left, as id and the lowest version a cached copy of it may have: the
	 * after image's version, or past the before image's for a delete (no copy may remain).
	 * Null when the change does not carry both (a table whose id or version is not published).
	 */
	record ChangedRow(long id, long version) {

		static @Nullable ChangedRow of(ChangeEvent event) {
			Map<String, Object> image = (event.after() != null) ? event.after() : event.before();
			if (image == null || !(image.get("id") instanceof Number id) || !(image.get("version") instanceof Number version)) {
				return null;
			}
			return new ChangedRow(id.longValue(), version.longValue() + ((event.after() == null) ? 1 : 0));
		}
	}

	/** What made an entry stale: the version it holds and the one required; {@code floor} the key's, for the repair. */
	record Stale(long cached, long required, long floor) {

		static @Nullable Stale find(Inspection inspection, @Nullable ChangedRow row) {
			byte[] value = inspection.value();
			if (value == null) {
				return null; // nothing cached: consistent
			}
			CachedRows rows = CachedRows.of(value);
			if (inspection.floor() > 0 && !rows.list() && rows.entityVersion() < inspection.floor()) {
				return new Stale(rows.entityVersion(), inspection.floor(), inspection.floor());
			}
			if (row != null) {
				long cached = rows.versionOf(row.id());
				if (cached >= 0 && cached < row.version()) {
					return new Stale(cached, row.version(), rows.list() ? Invalidation.NO_FLOOR : row.version());
				}
			}
			return null;
		}
	}
}
