package dev.freshline.bench.chaos;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.common.TopicPartition;

import dev.freshline.bench.Signals;

/**
 * Retention deleting records the invalidator has not applied: the invalidator is paused, writes go
 * on, and every record of the change topics up to their ends is deleted (what {@code retention.ms}
 * does to old segments, made immediate with DeleteRecords), then the invalidator resumes. Its
 * offset guard must see the gap and flush the affected namespaces (I4).
 */
final class RetentionGap implements Fault {

	private final Duration paused;

	private long pid;

	RetentionGap(Duration paused) {
		this.paused = paused;
	}

	@Override
	public String description() {
		return "retention deletes records the invalidator has not applied (invalidator paused " + this.paused.toSeconds()
				+ " s, change topics deleted up to their ends, invalidator resumed)";
	}

	@Override
	public void inject(ChaosContext context) throws Exception {
		this.pid = context.stack().pid("invalidator");
		Signals.send("STOP", this.pid);
		context.progress().line("  kill -STOP %d (invalidator)", this.pid);
	}

	@Override
	public Duration duration() {
		return this.paused;
	}

	@Override
	public void end(ChaosContext context) throws Exception {
		try (Admin admin = Admin.create(context.stack().kafkaClient(Map.of()))) {
			var changeTopics = context.probe().topics();
			Map<TopicPartition, OffsetSpec> ends = admin.describeTopics(java.util.List.of(changeTopics.changes("patient"),
					changeTopics.changes("formulary_item")))
				.allTopicNames()
				.get(10, TimeUnit.SECONDS)
				.values()
				.stream()
				.flatMap((topic) -> topic.partitions().stream().map((partition) -> new TopicPartition(topic.name(), partition.partition())))
				.collect(Collectors.toMap((partition) -> partition, (partition) -> OffsetSpec.latest()));
			Map<TopicPartition, RecordsToDelete> deletions = admin.listOffsets(ends)
				.all()
				.get(10, TimeUnit.SECONDS)
				.entrySet()
				.stream()
				.collect(Collectors.toMap(Map.Entry::getKey, (end) -> RecordsToDelete.beforeOffset(end.getValue().offset())));
			admin.deleteRecords(deletions).all().get(30, TimeUnit.SECONDS);
			context.progress().line("  deleted every record of %d change-topic partitions up to their ends", deletions.size());
		}
		finally {
			Signals.send("CONT", this.pid);
			context.progress().line("  kill -CONT %d (invalidator)", this.pid);
		}
	}
}
