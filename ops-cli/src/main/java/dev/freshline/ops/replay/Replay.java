package dev.freshline.ops.replay;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.jspecify.annotations.Nullable;

import dev.freshline.cache.ChangeBatch;
import dev.freshline.model.ChangeEventParser;
import dev.freshline.model.InvalidationRules;
import dev.freshline.ops.ChangeTopic;
import dev.freshline.ops.Clients;
import dev.freshline.ops.Markers;
import dev.freshline.ops.Ops;
import dev.freshline.ops.Progress;

/**
 * One replay: reads each partition from its start to its end offset, plans every record with
 * the live rules, merges polls into one {@link ChangeBatch} until it holds {@code --batch} distinct
 * keys and applies it (pipelined) while reading on. Records it cannot read flush their table's namespaces, as the
 * invalidator does (I4), and are listed; nothing is skipped silently. What it reports is
 * {@link ReplayReport}'s job; this class is the loop.
 */
final class Replay {

	/** Without records for this long while some are still expected, Kafka is not delivering. */
	private static final Duration STALL = Duration.ofSeconds(30);

	/** Records per poll: planned in slices on several threads while the previous window is applied. */
	private static final int MAX_POLL = 10_000;

	private static final int PLANNERS = Math.max(2, Runtime.getRuntime().availableProcessors());

	private final ChangeEventParser parser;

	private final Clients clients;

	private final InvalidationRules rules;

	private final ChangeTopic topic;

	private final Range range;

	private final Settings settings;

	private final Progress progress;

	private final ReplayReport report;

	/** The offsets to read, per partition: from {@code starts} (inclusive) to {@code ends} (exclusive). */
	record Range(Map<TopicPartition, Long> starts, Map<TopicPartition, Long> ends) {

		long total() {
			return this.starts.keySet().stream().mapToLong((p) -> this.ends.get(p) - this.starts.get(p)).sum();
		}
	}

	/** How to replay: for real or dry, how fast, how many distinct keys per window, what to show. */
	record Settings(boolean dryRun, int eventsPerSecond, int batchSize, int show, boolean terminal,
			Duration progressInterval) {
	}

	Replay(Clients clients, InvalidationRules rules, ChangeTopic topic, Range range, Settings settings, PrintWriter out,
			PrintWriter err) {
		this.clients = clients;
		this.rules = rules;
		// only the columns the rules read are kept: most of a replay's CPU is parsing
		this.parser = ChangeEventParser.forRules(rules.ruleSet());
		this.topic = topic;
		this.range = range;
		this.settings = settings;
		this.progress = new Progress(out, settings.dryRun() ? "dry run" : "replay", "events", range.total(),
				settings.terminal(), settings.progressInterval());
		this.report = new ReplayReport(rules, topic, range, settings.dryRun(), settings.show(), out, err);
	}

	int run() {
		Set<TopicPartition> remaining = new HashSet<>();
		this.range.starts().forEach((partition, start) -> {
			if (this.range.ends().get(partition) > start) {
				remaining.add(partition);
			}
		});
		int eventsPerSecond = this.settings.eventsPerSecond();
		int maxPoll = (eventsPerSecond > 0) ? Math.max(1, Math.min(MAX_POLL, eventsPerSecond / 10)) : MAX_POLL;
		ExecutorService planners = Executors.newFixedThreadPool(PLANNERS, daemon("freshline-ops-plan"));
		ExecutorService applier = Executors.newSingleThreadExecutor(daemon("freshline-ops-apply"));
		try (KafkaConsumer<byte[], byte[]> consumer = this.clients.consumer("freshline-ops-replay", null, maxPoll)) {
			consumer.assign(remaining);
			remaining.forEach((partition) -> consumer.seek(partition, this.range.starts().get(partition)));
			long lastRecord = System.nanoTime();
			Future<?> applying = null;
			// polls merge into one window until it holds batchSize distinct keys: a key changed many
			// times in the window costs one invalidation (with its highest floor, the same end state)
			ChangeBatch window = new ChangeBatch(this.rules, this.parser);
			while (!remaining.isEmpty()) {
				ConsumerRecords<byte[], byte[]> polled = consumer.poll(Duration.ofMillis(500));
				// also after an empty poll: a partition can reach its end without a record (a control record)
				for (TopicPartition partition : Set.copyOf(remaining)) {
					if (consumer.position(partition) >= this.range.ends().get(partition)) {
						remaining.remove(partition);
						consumer.pause(Set.of(partition));
					}
				}
				if (polled.isEmpty()) {
					if (System.nanoTime() - lastRecord > STALL.toNanos()) {
						throw new IllegalStateException("no records from " + this.topic.topic() + " for " + STALL.toSeconds()
								+ " s while " + (this.range.total() - this.report.records()) + " are still expected");
					}
					continue;
				}
				lastRecord = System.nanoTime();
				List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>(polled.count());
				for (ConsumerRecord<byte[], byte[]> record : polled) {
					if (record.offset() < this.range.ends().get(new TopicPartition(record.topic(), record.partition()))) {
						records.add(record);
					}
				}
				window.merge(plan(records, planners));
				if (window.keys() >= this.settings.batchSize() || remaining.isEmpty() || eventsPerSecond > 0) {
					applying = send(window, applying, applier);
					window = new ChangeBatch(this.rules, this.parser);
				}
				this.progress.update(this.report.records());
				throttle();
			}
			applying = send(window, applying, applier);
			await(applying);
		}
		finally {
			planners.shutdownNow();
			applier.shutdownNow();
		}
		this.progress.finish(this.report.records());
		this.report.print(this.progress.elapsed());
		return (this.report.failed() > 0) ? Ops.FAILED : 0;
	}

	/** One window in Redis while the next is fetched and planned; windows still apply in order. */
	private @Nullable Future<?> send(ChangeBatch window, @Nullable Future<?> applying, ExecutorService applier) {
		this.report.count(window);
		if (this.settings.dryRun() || window.isEmpty()) {
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
					outcomes[i] = batch.add(this.topic.table(), Markers.isMarker(records.get(i).headers()),
							records.get(i).value(), true);
				}
				return batch;
			}));
		}
		ChangeBatch merged = new ChangeBatch(this.rules, this.parser);
		for (Future<ChangeBatch> planned : slices) {
			merged.merge(await(planned));
		}
		for (int i = 0; i < outcomes.length; i++) {
			this.report.account(records.get(i), outcomes[i]);
		}
		return merged;
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

	private void throttle() {
		int eventsPerSecond = this.settings.eventsPerSecond();
		if (eventsPerSecond <= 0) {
			return;
		}
		long due = TimeUnit.SECONDS.toNanos(this.report.records()) / eventsPerSecond;
		long ahead = due - this.progress.elapsed().toNanos();
		if (ahead > 0) {
			LockSupport.parkNanos(ahead);
		}
	}
}
