package dev.freshline.ops.dlt;

import java.io.PrintWriter;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;

import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import dev.freshline.cache.ChangeBatch;
import dev.freshline.model.ChangeEventParser;
import dev.freshline.model.InvalidationRules;
import dev.freshline.model.Topics;
import dev.freshline.ops.Clients;
import dev.freshline.ops.ConnectionOptions;
import dev.freshline.ops.Endpoints;
import dev.freshline.ops.Markers;
import dev.freshline.ops.Ops;
import dev.freshline.ops.Position;
import dev.freshline.ops.TextTable;
import dev.freshline.ops.TopicLog;

/**
 * Re-applies dead letters with the current rules: parsed and planned as the invalidator would,
 * applied pipelined. A record that still fails is listed and stays where it is: the redrive
 * group's offset stops at the first one, so the next redrive tries it again (re-applying the
 * ones after it is harmless: invalidations are idempotent).
 */
@Command(name = "redrive", mixinStandardHelpOptions = true,
		description = { "Re-apply dead-lettered records after a fix; report those that still fail.",
				"Starts where the last redrive stopped (its group), or at --from." })
public final class DltRedriveCommand implements Callable<Integer> {

	static final String DEFAULT_GROUP = "freshline-ops-dlt-redrive";

	@Mixin
	ConnectionOptions connection;

	@Option(names = "--group", defaultValue = DEFAULT_GROUP, description = "Where redrive keeps its progress (default ${DEFAULT-VALUE})")
	String group;

	@Option(names = "--from", paramLabel = "POSITION",
			description = "earliest, an offset, an ISO-8601 time with zone, or a duration ago (default: where the group stopped, else earliest)")
	@Nullable String from;

	@Option(names = "--dry-run", description = "Show what each record would invalidate; change nothing, commit nothing")
	boolean dryRun;

	@Override
	public Integer call() {
		Clock clock = this.connection.ops().clock();
		PrintWriter out = this.connection.out();
		Endpoints endpoints = this.connection.endpoints();
		Topics topics = endpoints.topics();
		InvalidationRules rules = endpoints.invalidationRules();
		String topic = topics.deadLetter();
		Position start = (this.from != null) ? Position.parse("--from", this.from, clock) : null;
		try (Clients clients = this.connection.connect()) {
			TopicLog log = TopicLog.read(clients.admin(), topic);
			Map<TopicPartition, Long> starts = (start != null) ? log.offsets("--from", start, clock)
					: resume(clients, log, clock);
			Map<TopicPartition, Long> ends = log.offsets("--to", new Position.Latest(), clock);
			if (!this.dryRun) {
				clients.ping();
			}
			List<DeadLetter> letters = DeadLetters.read(clients, starts, ends);
			ChangeBatch batch = new ChangeBatch(rules, new ChangeEventParser());
			Map<TopicPartition, Long> stops = new HashMap<>(ends);
			List<DeadLetter> failed = new ArrayList<>();
			TextTable results = new TextTable("record", "origin", "result");
			for (DeadLetter letter : letters) {
				String result = redrive(letter, topics, batch);
				if (result.startsWith("still fails")) {
					failed.add(letter);
					stops.merge(new TopicPartition(topic, letter.partition()), letter.offset(), Math::min);
				}
				results.row(letter.partition() + "@" + letter.offset(), letter.origin(), result);
			}
			out.println((this.dryRun ? "Dry run of a redrive of " : "Redriving ") + letters.size() + " records of " + topic
					+ " from " + TopicLog.describe(starts) + " with rules " + endpoints.rulesLocation());
			if (!letters.isEmpty()) {
				results.print(out);
			}
			if (this.dryRun) {
				out.println("Dry run: nothing was changed, nothing committed.");
				return failed.isEmpty() ? 0 : Ops.FAILED;
			}
			// Redis first, the group's offset after: a crash in between only means a harmless repeat
			batch.apply(clients.cache());
			commit(clients, stops);
			out.println("Redriven " + (letters.size() - failed.size()) + ", still failing " + failed.size()
					+ (failed.isEmpty() ? "" : " (kept in " + topic + "; group " + this.group + " stops at "
							+ TopicLog.describe(stops) + ", so the next redrive tries them again)"));
			return failed.isEmpty() ? 0 : Ops.FAILED;
		}
	}

	private static String redrive(DeadLetter letter, Topics topics, ChangeBatch batch) {
		if (letter.originalTopic() == null) {
			return "still fails: no kafka_dlt-original-topic header, so its table is unknown";
		}
		String table = topics.tableOf(letter.originalTopic()).orElse(null);
		if (table == null) {
			return "still fails: " + letter.originalTopic() + " is not a change topic of " + topics.prefix();
		}
		ChangeBatch.Outcome outcome = batch.add(table, Markers.isMarker(letter.headers()), letter.value(), false);
		return switch (outcome.kind()) {
			case FAILED -> "still fails: " + outcome.error();
			case TOMBSTONE -> "nothing to do (tombstone)";
			// an invalidator without watermark support dead-letters markers: they invalidate nothing
			case MARKER -> "nothing to do (watermark marker)";
			case PLANNED -> describe(outcome);
		};
	}

	private static String describe(ChangeBatch.Outcome outcome) {
		var plan = outcome.plan();
		List<String> parts = new ArrayList<>();
		plan.invalidations().stream().map((invalidation) -> invalidation.key()).sorted().forEach(parts::add);
		plan.tags().stream().sorted().forEach((tag) -> parts.add("tag " + tag));
		plan.flushes().forEach((namespace) -> parts.add("flush " + namespace));
		return parts.isEmpty() ? "nothing to do" : "invalidates " + String.join(", ", parts);
	}

	/** Where the last redrive stopped; the log's start where it has none or retention passed it. */
	private Map<TopicPartition, Long> resume(Clients clients, TopicLog log, Clock clock) {
		Map<TopicPartition, Long> committed = committed(clients, this.group);
		Map<TopicPartition, Long> starts = log.offsets("--from", new Position.Earliest(), clock);
		starts.replaceAll((partition, start) -> Math.max(start, committed.getOrDefault(partition, start)));
		return starts;
	}

	private void commit(Clients clients, Map<TopicPartition, Long> stops) {
		Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
		stops.forEach((partition, offset) -> offsets.put(partition, new OffsetAndMetadata(offset)));
		try (KafkaConsumer<byte[], byte[]> consumer = clients.consumer("freshline-ops-dlt-redrive", this.group, 1)) {
			consumer.commitSync(offsets);
		}
	}

	static Map<TopicPartition, Long> committed(Clients clients, String group) {
		Map<TopicPartition, Long> offsets = new HashMap<>();
		try {
			clients.admin()
				.listConsumerGroupOffsets(group)
				.partitionsToOffsetAndMetadata()
				.get()
				.forEach((partition, metadata) -> {
					if (metadata != null) {
						offsets.put(partition, metadata.offset());
					}
				});
		}
		catch (ExecutionException ex) {
			throw new IllegalStateException("cannot read the offsets of group " + group, ex.getCause());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("interrupted", ex);
		}
		return offsets;
	}
}
