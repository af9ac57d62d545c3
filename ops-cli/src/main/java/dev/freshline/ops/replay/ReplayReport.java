package dev.freshline.ops.replay;

import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.jspecify.annotations.Nullable;

import dev.freshline.cache.ChangeBatch;
import dev.freshline.model.Invalidation;
import dev.freshline.model.InvalidationPlan;
import dev.freshline.model.InvalidationRules;
import dev.freshline.ops.ChangeTopic;
import dev.freshline.ops.TextTable;
import dev.freshline.ops.TopicLog;

/**
 * What a replay tells the operator, kept apart from {@link Replay}'s loop: each record accounted
 * for (unreadable ones listed, a dry run's first events shown), each applied window counted per
 * namespace, and the closing tables. Touched by the replay's own thread only.
 */
final class ReplayReport {

	private static final int MAX_LISTED_FAILURES = 10;

	private final InvalidationRules rules;

	private final ChangeTopic topic;

	private final Replay.Range range;

	private final boolean dryRun;

	private final int show;

	private final PrintWriter out;

	private final PrintWriter err;

	private final Map<TopicPartition, Long> perPartition = new TreeMap<>(TopicLog.PARTITION_ORDER);

	/** Per namespace: invalidations sent (each key once per batch) or, in a dry run, distinct keys. */
	private final Map<String, Long> sentPerNamespace = new TreeMap<>();

	private final Map<String, Set<String>> distinctPerNamespace = new TreeMap<>();

	private final Set<String> tags = new HashSet<>();

	private final Map<String, Set<String>> flushes = new TreeMap<>();

	private long records;

	private long tombstones;

	private long markers;

	private long failed;

	private long shown;

	ReplayReport(InvalidationRules rules, ChangeTopic topic, Replay.Range range, boolean dryRun, int show,
			PrintWriter out, PrintWriter err) {
		this.rules = rules;
		this.topic = topic;
		this.range = range;
		this.dryRun = dryRun;
		this.show = show;
		this.out = out;
		this.err = err;
		range.starts().keySet().forEach((partition) -> this.perPartition.put(partition, 0L));
	}

	long records() {
		return this.records;
	}

	long failed() {
		return this.failed;
	}

	void account(ConsumerRecord<byte[], byte[]> record, ChangeBatch.Outcome outcome) {
		TopicPartition partition = new TopicPartition(record.topic(), record.partition());
		this.records++;
		this.perPartition.merge(partition, 1L, Long::sum);
		switch (outcome.kind()) {
			case TOMBSTONE -> this.tombstones++;
			case MARKER -> this.markers++;
			case FAILED -> {
				this.failed++;
				if (this.failed <= MAX_LISTED_FAILURES) {
					// the message says what is wrong and where, never the payload
					this.err.println(partition + "@" + record.offset() + ": unreadable (" + outcome.error() + "); "
							+ "flushing " + this.rules.ruleSet().namespacesOf(this.topic.table()) + " instead");
				}
			}
			case PLANNED -> {
				if (this.dryRun && this.shown < this.show) {
					this.shown++;
					this.out.println(describe(partition, record, outcome.plan()));
				}
				if (this.dryRun) {
					outcome.plan().invalidations().forEach((invalidation) -> this.distinctPerNamespace
						.computeIfAbsent(namespaceOf(invalidation.key()), (ns) -> new HashSet<>())
						.add(invalidation.key()));
				}
			}
		}
	}

	/** A window as it is applied (or, in a dry run, would be). */
	void count(ChangeBatch batch) {
		if (!this.dryRun) {
			for (Invalidation invalidation : batch.invalidations()) {
				this.sentPerNamespace.merge(namespaceOf(invalidation.key()), 1L, Long::sum);
			}
		}
		this.tags.addAll(batch.tags());
		for (String reason : batch.flushReasons()) {
			this.flushes.computeIfAbsent(reason, (r) -> new TreeSet<>())
				.addAll(batch.flushes().stream().map(Object::toString).toList());
		}
	}

	private String describe(TopicPartition partition, ConsumerRecord<byte[], byte[]> record, @Nullable InvalidationPlan plan) {
		StringBuilder line = new StringBuilder("  ").append(partition).append('@').append(record.offset()).append(' ')
			.append(Instant.ofEpochMilli(record.timestamp())).append(" ->");
		if (plan == null || plan.invalidations().isEmpty() && plan.tags().isEmpty() && plan.flushes().isEmpty()) {
			return line.append(" nothing").toString();
		}
		plan.invalidations().stream().sorted(Comparator.comparing(Invalidation::key)).forEach((invalidation) -> {
			line.append(' ').append(invalidation.key());
			if (invalidation.floor() == Invalidation.DELETED) {
				line.append(" (deleted)");
			}
			else if (invalidation.floor() != Invalidation.NO_FLOOR) {
				line.append(" (floor ").append(invalidation.floor()).append(')');
			}
		});
		plan.tags().forEach((tag) -> line.append(" tag ").append(tag));
		plan.flushes().forEach((namespace) -> line.append(" flush ").append(namespace));
		return line.toString();
	}

	private String namespaceOf(String key) {
		return this.rules.keys().namespaceOf(key).id();
	}

	void print(Duration elapsed) {
		this.out.println();
		TextTable partitions = new TextTable("partition", "from", "to", "events");
		this.perPartition.forEach((partition, count) -> partitions.row(partition.partition(),
				this.range.starts().get(partition), this.range.ends().get(partition), number(count)));
		partitions.print(this.out);
		this.out.println();
		TextTable namespaces = new TextTable("namespace", this.dryRun ? "distinct keys" : "invalidations sent");
		if (this.dryRun) {
			this.distinctPerNamespace.forEach((namespace, keys) -> namespaces.row(namespace, number(keys.size())));
		}
		else {
			this.sentPerNamespace.forEach((namespace, sent) -> namespaces.row(namespace, number(sent)));
		}
		namespaces.print(this.out);
		this.out.println();
		double seconds = elapsed.toNanos() / 1e9;
		new TextTable()
			.row("events", number(this.records))
			.row("tombstones", number(this.tombstones))
			.row("watermark markers", number(this.markers) + ((this.markers > 0) ? " (skipped: they invalidate nothing)" : ""))
			.row("unreadable", number(this.failed) + ((this.failed > 0) ? " (namespaces flushed instead)" : ""))
			.row("tags " + (this.dryRun ? "to invalidate" : "invalidated"), this.tags.isEmpty() ? "-"
					: number(this.tags.size()) + " " + this.tags.stream().sorted().limit(5).collect(Collectors.joining(", "))
							+ ((this.tags.size() > 5) ? ", ..." : ""))
			.row("namespaces " + (this.dryRun ? "to flush" : "flushed"), this.flushes.isEmpty() ? "-"
					: this.flushes.entrySet().stream().map((e) -> e.getValue() + " (" + e.getKey() + ")")
						.collect(Collectors.joining("; ")))
			.row("elapsed", String.format(Locale.ROOT, "%.1f s", seconds))
			.row("rate", String.format(Locale.ROOT, "%,.0f events/s", this.records / Math.max(seconds, 1e-9)))
			.print(this.out);
		if (this.dryRun) {
			this.out.println("Dry run: nothing was changed.");
		}
	}

	private static String number(long value) {
		return String.format(Locale.ROOT, "%,d", value);
	}
}
