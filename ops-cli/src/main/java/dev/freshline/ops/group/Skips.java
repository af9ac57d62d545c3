package dev.freshline.ops.group;

import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

import org.apache.kafka.common.TopicPartition;

import dev.freshline.model.CommitMetadata;
import dev.freshline.model.Namespace;
import dev.freshline.model.RuleSet;
import dev.freshline.model.Topics;
import dev.freshline.ops.NamespaceFlush;
import dev.freshline.ops.TopicLog;

/**
 * The records a move would jump over without the group having applied them, per partition. The
 * group resumes from its committed offset, or, without one (or below the log start), from the
 * earliest retained record after a flush of its own: a target past that point skips what lies
 * between.
 *
 * @param records the records each partition moving forward skips
 * @param namespaces the namespaces of those partitions' tables
 * @param unvouched the partitions without a committed offset the group could resume from: their
 * new offset cannot vouch for anything applied, so its metadata names no topic and the
 * invalidator flushes before reading from it, as it would have without the move
 */
record Skips(Map<TopicPartition, Long> records, Set<Namespace> namespaces, Set<TopicPartition> unvouched) {

	static Skips of(List<TopicLog> logs, Map<TopicPartition, Long> before, Map<TopicPartition, Long> after,
			Topics topics, RuleSet rules) {
		Map<TopicPartition, Long> records = new TreeMap<>(TopicLog.PARTITION_ORDER);
		Set<Namespace> namespaces = new LinkedHashSet<>();
		Set<TopicPartition> unvouched = new HashSet<>();
		for (TopicLog log : logs) {
			for (TopicPartition partition : log.partitions()) {
				Long target = after.get(partition);
				if (target == null) {
					continue;
				}
				Long committed = before.get(partition);
				if (committed == null || committed < log.start(partition)) {
					unvouched.add(partition);
				}
				long resume = (committed == null) ? log.start(partition) : Math.max(committed, log.start(partition));
				if (target > resume) {
					records.put(partition, target - resume);
					topics.tableOf(partition.topic()).ifPresent((table) -> namespaces.addAll(rules.namespacesOf(table)));
				}
			}
		}
		return new Skips(records, namespaces, unvouched);
	}

	boolean isEmpty() {
		return this.records.isEmpty();
	}

	/** The records {@code partition} skips; 0 when it does not move forward. */
	long of(TopicPartition partition) {
		return this.records.getOrDefault(partition, 0L);
	}

	/** What the new offset of {@code partition}, in topic {@code topicId}, says to the invalidator. */
	CommitMetadata metadata(TopicPartition partition, String topicId) {
		if (this.unvouched.contains(partition) && of(partition) == 0) {
			return new CommitMetadata(Set.of());
		}
		return new CommitMetadata(Set.of(topicId), of(partition));
	}

	String describe() {
		long total = this.records.values().stream().mapToLong(Long::longValue).sum();
		return NamespaceFlush.number(total) + " record(s) on " + this.records.entrySet()
			.stream()
			.map((entry) -> entry.getKey() + " (" + NamespaceFlush.number(entry.getValue()) + ")")
			.collect(Collectors.joining(", "));
	}

	String namespaceNames() {
		return this.namespaces.isEmpty() ? "(none)"
				: this.namespaces.stream().map(Namespace::id).collect(Collectors.joining(", ", "[", "]"));
	}
}
