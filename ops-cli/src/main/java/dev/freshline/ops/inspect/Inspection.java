package dev.freshline.ops.inspect;

import java.io.PrintWriter;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.freshline.cache.CacheCommands;
import dev.freshline.cache.audit.CachedEntryAudit;
import dev.freshline.cache.audit.CachedEntryAudit.StaleEntry;
import dev.freshline.model.CacheKeys;
import dev.freshline.model.Invalidation;
import dev.freshline.model.Namespace;
import dev.freshline.ops.NamespaceFlush;
import dev.freshline.ops.Progress;
import dev.freshline.ops.TextTable;

/**
 * One namespace's inspection: the audit with progress, the repair of what it found, and the
 * namespace's table. The table shows keys and id:version pairs only, never a value's other
 * fields, so its output can go into a ticket.
 */
final class Inspection {

	private static final Logger log = LoggerFactory.getLogger(Inspection.class);

	/** Stale entries each namespace's table lists. */
	static final int EXAMPLES = 5;

	/** Differing rows a list's example shows on each side. */
	private static final int ROWS_SHOWN = 3;

	private final CachedEntryAudit audit;

	private final CacheCommands cache;

	private final CacheKeys keys;

	private final PrintWriter out;

	private final boolean terminal;

	private final Duration progressInterval;

	Inspection(CachedEntryAudit audit, CacheCommands cache, CacheKeys keys, PrintWriter out, boolean terminal,
			Duration progressInterval) {
		this.audit = audit;
		this.cache = cache;
		this.keys = keys;
		this.out = out;
		this.terminal = terminal;
		this.progressInterval = progressInterval;
	}

	void inspect(Namespace namespace, int sample, boolean repair, Totals totals) throws SQLException {
		boolean sampled = sample < Integer.MAX_VALUE;
		this.out.println("Inspecting namespace " + namespace + " (" + this.keys.namespacePattern(namespace) + ", "
				+ (sampled ? "the first " + NamespaceFlush.number(sample) + " entries SCAN yields" : "every entry") + ")");
		Progress progress = new Progress(this.out, "inspect " + namespace, "entries compared", sampled ? sample : 0,
				this.terminal, this.progressInterval);
		CachedEntryAudit.Result result = this.audit.namespace(namespace, sample, progress::update);
		int checked = result.checkedTotal();
		progress.finish(checked);
		List<StaleEntry> stale = result.staleEntries();
		int repaired = 0;
		if (repair && !stale.isEmpty()) {
			List<Invalidation> invalidations = stale.stream().map(StaleEntry::invalidation).toList();
			// the protocol's INVALIDATE, as the invalidator sends it: value and lease deleted, the
			// floor raised, so a reader still holding the old row cannot fill it back
			this.cache.invalidate(invalidations);
			repaired = invalidations.size();
			log.info("Invalidated {} stale entries of namespace {}", repaired, namespace);
		}
		new TextTable("namespace", "checked", "stale", "repaired", "unchecked keys")
			.row(namespace, NamespaceFlush.number(checked), NamespaceFlush.number(stale.size()),
					NamespaceFlush.number(repaired), NamespaceFlush.number(result.unchecked().size()))
			.print(this.out);
		if (!stale.isEmpty()) {
			TextTable examples = new TextTable("stale key", "rows cached/Postgres", "only cached", "only in Postgres",
					"repair");
			for (StaleEntry entry : stale.subList(0, Math.min(EXAMPLES, stale.size()))) {
				examples.row(entry.key(), entry.cached().size() + "/" + entry.current().size(),
						difference(entry.cached(), entry.current()), difference(entry.current(), entry.cached()),
						repair ? repairOf(entry) : "-");
			}
			examples.print(this.out);
			if (stale.size() > EXAMPLES) {
				this.out.println("... and " + NamespaceFlush.number(stale.size() - EXAMPLES) + " more stale entries");
			}
		}
		if (!result.unchecked().isEmpty()) {
			this.out.println("Keys of no known shape, not compared: "
					+ result.unchecked().subList(0, Math.min(EXAMPLES, result.unchecked().size())));
		}
		this.out.println();
		totals.checked += checked;
		totals.stale += stale.size();
		totals.repaired += repaired;
	}

	/** The id:version pairs of {@code rows} that {@code other} lacks, a few of them; "none" when there are none. */
	private static String difference(List<String> rows, List<String> other) {
		List<String> only = new ArrayList<>(rows);
		only.removeAll(other);
		if (only.isEmpty()) {
			// an empty list on both sides of a differing entry means the same rows in another order
			return rows.isEmpty() ? "none" : "-";
		}
		String shown = String.join(" ", only.subList(0, Math.min(ROWS_SHOWN, only.size())));
		return (only.size() > ROWS_SHOWN) ? shown + String.format(Locale.ROOT, " +%d more", only.size() - ROWS_SHOWN)
				: shown;
	}

	private static String repairOf(StaleEntry entry) {
		if (entry.floor() == Invalidation.NO_FLOOR) {
			return "invalidated";
		}
		return "invalidated, floor " + ((entry.floor() == Invalidation.DELETED) ? "deleted" : Long.toString(entry.floor()));
	}

	/** What every namespace added up to, for the RESULT line. */
	static final class Totals {

		long checked;

		long stale;

		long repaired;
	}
}
