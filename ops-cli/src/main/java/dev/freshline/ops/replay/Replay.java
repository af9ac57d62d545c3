package dev.freshline.ops.replay;

import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.jspecify.annotations.Nullable;

import dev.freshline.model.ChangeEventParser;
import dev.freshline.model.Invalidation;
import dev.freshline.model.InvalidationPlan;
import dev.freshline.model.InvalidationRules;
import dev.freshline.ops.ChangeBatch;
import dev.freshline.ops.ChangeTopic;
import dev.freshline.ops.Clients;
import dev.freshline.ops.Ops;
import dev.freshline.ops.Progress;
import dev.freshline.ops.TextTable;
import dev.freshline.ops.TopicLog;

/**
 * One replay: reads each partition from its start to its end offset, plans every record with
 * the live rules, merges polls into one {@link ChangeBatch} until it holds {@code --batch} distinct
 * keys and applies it (pipelined) while reading on. Records it cannot read flush their table's namespaces, as the
 * invalidator does (I4), and are listed; nothing is skipped silently.
 */
final class Replay {

	/** Without records for this long while some are still expected, Kafka is not delivering. */
	private static final Duration STALL = Duration.ofSeconds(30);

	/** Records per poll: planned in slices on several threads while the previous window is applied. */
	private static final int MAX_POLL = 10_000;

	private static final int MAX_LISTED_FAILURES = 10;

	private static final int PLANNERS = Math.max(2, Runtime.getRuntime().availableProcessors());

	private final ChangeEventParser parser;

	private final Clients clients;

	private final InvalidationRules rules;

	private final ChangeTopic topic;

	private final Map<TopicPartition, Long> starts;

	private final Map<TopicPartition, Long> ends;

	private final boolean dryRun;

	private final int eventsPerSecond;

	private final int batchSize;

	private final int show;

	private final PrintWriter out;

	private final PrintWriter err;

	private final Progress progress;

	private final Map<TopicPartition, Long> perPartition = new TreeMap<>(TopicLog.PARTITION_ORDER);

	/** Per namespace: invalidations sent (each key once per batch) or, in a dry run, distinct keys. */
	private final Map<String, Long> sentPerNamespace = new TreeMap<>();

	private final Map<String, Set<String>> distinctPerNamespace = new TreeMap<>();

	private final Set<String> tags = new HashSet<>();

	private final Map<String, Set<String>> flushes = new TreeMap<>();

	private long records;

	private long tombstones;

	private long failed;

	private long shown;

	Replay(Clients clients, InvalidationRules rules, ChangeTopic topic, Map<TopicPartition, Long> starts,
			Map<TopicPartition, Long> ends, boolean dryRun, int eventsPerSecond, int batchSize, int show, PrintWriter out,
			PrintWriter err, boolean terminal, Duration interval) {
		this.clients = clients;
		this.rules = rules;
		// only the columns the rules read are kept: most of a replay's CPU is parsing
		this.parser = ChangeEventParser.forRules(rules.ruleSet());
		this.topic = topic;
		this.starts = starts;
		this.ends = ends;
		this.dryRun = dryRun;
		this.eventsPerSecond = eventsPerSecond;
		this.batchSize = batchSize;
		this.show = show;
		this.out = out;
		this.err = err;
		this.progress = new Progress(out, dryRun ? "dry run" : "replay", "events", total(), terminal, interval);
	}

	long total() {
		return this.starts.keySet().stream().mapToLong((p) -> this.ends.get(p) - this.starts.get(p)).sum();
	}

	int run() {
		Set<TopicPartition> remaining = new HashSet<>();
		this.starts.forEach((partition, start) -> {
			this.perPartition.put(partition, 0L);
			if (this.ends.get(partition) > start) {
				remaining.add(partition);
			}
		});
		int maxPoll = (this.eventsPerSecond > 0) ? Math.max(1, Math.min(MAX_POLL, this.eventsPerSecond / 10))
				: MAX_POLL;
		ExecutorService planners = Executors.newFixedThreadPool(PLANNERS, daemon("freshline-ops-plan"));
		ExecutorService applier = Executors.newSingleThreadExecutor(daemon("freshline-ops-apply"));
		try (KafkaConsumer<byte[], byte[]> consumer = this.clients.consumer("freshline-ops-replay", null, maxPoll)) {
			consumer.assign(remaining);
			remaining.forEach((partition) -> consumer.seek(partition, this.starts.get(partition)));
			long lastRecord = System.nanoTime();
			Future<?> applying = null;
			// polls merge into one window until it holds batchSize distinct keys: a key changed many
			// times in the window costs one invalidation (with its highest floor, the same end state)
			ChangeBatch window = new ChangeBatch(this.rules, this.parser);
			while (!remaining.isEmpty()) {
				ConsumerRecords<byte[], byte[]> polled = consumer.poll(Duration.ofMillis(500));
				// also after an empty poll: a partition can reach its end without a record (a control record)
				for (TopicPartition partition : Set.copyOf(remaining)) {
					if (consumer.position(partition) >= this.ends.get(partition)) {
						remaining.remove(partition);
						consumer.pause(Set.of(partition));
					}
				}
				if (polled.isEmpty()) {
					if (System.nanoTime() - lastRecord > STALL.toNanos()) {
						throw new IllegalStateException("no records from " + this.topic.topic() + " for " + STALL.toSeconds()
								+ " s while " + (total() - this.records) + " are still expected");
					}
					continue;
				}
				lastRecord = System.nanoTime();
				List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>(polled.count());
				for (ConsumerRecord<byte[], byte[]> record : polled) {
					if (record.offset() < this.ends.get(new TopicPartition(record.topic(), record.partition()))) {
						records.add(record);
					}
				}
				window.merge(plan(records, planners));
				if (window.keys() >= this.batchSize || remaining.isEmpty() || this.eventsPerSecond > 0) {
					applying = send(window, applying, applier);
					window = new ChangeBatch(this.rules, this.parser);
				}
				this.progress.update(this.records);
				throttle();
			}
			applying = send(window, applying, applier);
			await(applying);
		}
		finally {
			planners.shutdownNow();
			applier.shutdownNow();
		}
		this.progress.finish(this.records);
		summary();
		return (this.failed > 0) ? Ops.FAILED : 0;
	}

	/** One window in Redis while the next is fetched and planned; windows still apply in order. */
	private @Nullable Future<?> send(ChangeBatch window, @Nullable Future<?> applying, ExecutorService applier) {
		count(window);
		if (this.dryRun || window.isEmpty()) {
			return applying;
		}
		await(applying);
		return applier.submit(() -> window.apply(this.clients.cache()));
	}

	/**
	 * Parsing is most of a replay's CPU, so a poll's records are planned in slices on several
	 * threads, merged into one batch, and then accounted for in order on this thread.
	 */
	private ChangeBatch plan(List<ConsumerRecord<byte[], byte[]>> records, ExecutorService planners) {
		ChangeBatch.Outcome[] outcomes = new ChangeBatch.Outcome[records.size()];
		int slice = Math.max(500, (records.size() + PLANNERS - 1) / PLANNERS);
		List<Future<ChangeBatch>> slices = new ArrayList<>();
		for (int from = 0; from < records.size(); from += slice) {
			int first = from;
			int last = Math.min(records.size(), from + slice);
			slices.add(planners.submit(() -> {
				ChangeBatch batch = new ChangeBatch(this.rules, this.parser);
				for (int i = first; i < last; i++) {
					outcomes[i] = batch.add(this.topic.table(), records.get(i).value(), true);
				}
				return batch;
			}));
		}
		ChangeBatch merged = new ChangeBatch(this.rules, this.parser);
		for (Future<ChangeBatch> planned : slices) {
			merged.merge(await(planned));
		}
		for (int i = 0; i < outcomes.length; i++) {
			account(records.get(i), outcomes[i]);
		}
		return merged;
	}

	private void account(ConsumerRecord<byte[], byte[]> record, ChangeBatch.Outcome outcome) {
		TopicPartition partition = new TopicPartition(record.topic(), record.partition());
		this.records++;
		this.perPartition.merge(partition, 1L, Long::sum);
		switch (outcome.kind()) {
			case TOMBSTONE -> this.tombstones++;
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

	private static <T> @Nullable T await(@Nullable Future<T> future) {
		if (future == null) {
			return null;
		}
		try {
			return future.get();
		}
		catch (ExecutionException ex) {
			if (ex.getCause() instanceof RuntimeException cause) {
				throw cause;
			}
			throw new IllegalStateException(ex.getCause());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("interrupted", ex);
		}
	}

	private static ThreadFactory daemon(String name) {
		return (runnable) -> {
			Thread thread = new Thread(runnable, name);
			thread.setDaemon(true);
			return thread;
		};
	}

	private void count(ChangeBatch batch) {
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

	private void throttle() {
		if (this.eventsPerSecond <= 0) {
			return;
		}
		long due = TimeUnit.SECONDS.toNanos(this.records) / this.eventsPerSecond;
		long ahead = due - this.progress.elapsed().toNanos();
		if (ahead > 0) {
			LockSupport.parkNanos(ahead);
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

	/** {@code <prefix>:<namespace>:{<id>}} -> namespace; keys are built by CacheKeys, so the shape holds. */
	private String namespaceOf(String key) {
		String rest = key.substring(this.rules.keys().prefix().length() + 1);
		int colon = rest.indexOf(':');
		return (colon < 0) ? rest : rest.substring(0, colon);
	}

	private void summary() {
		this.out.println();
		TextTable partitions = new TextTable("partition", "from", "to", "events");
		this.perPartition.forEach((partition, count) -> partitions.row(partition.partition(), this.starts.get(partition),
				this.ends.get(partition), number(count)));
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
		double seconds = this.progress.elapsed().toNanos() / 1e9;
		new TextTable()
			.row("events", number(this.records))
			.row("tombstones", number(this.tombstones))
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
