package dev.freshline.ops;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * What a topic holds right now, per partition: the first retained offset, the end, and the time
 * of the first retained record. Turns an operator's {@link Position} into an offset per
 * partition, refusing one that would silently leave changes out: a time or offset before what
 * retention kept (those changes are gone; a resnapshot or a flush is the repair), a time in
 * the future, an offset past the end.
 */
public final class TopicLog {

	public static final Comparator<TopicPartition> PARTITION_ORDER = Comparator.comparing(TopicPartition::topic)
		.thenComparingInt(TopicPartition::partition);

	private final String topic;

	private final String topicId;

	private final Map<TopicPartition, Long> starts;

	private final Map<TopicPartition, Long> ends;

	private final Admin admin;

	private TopicLog(String topic, String topicId, Map<TopicPartition, Long> starts, Map<TopicPartition, Long> ends,
			Admin admin) {
		this.topic = topic;
		this.topicId = topicId;
		this.starts = starts;
		this.ends = ends;
		this.admin = admin;
	}

	/** {@code 0@12, 1@40}: offsets per partition in one line, partitions in order. */
	public static String describe(Map<TopicPartition, Long> offsets) {
		return offsets.entrySet()
			.stream()
			.sorted(Map.Entry.comparingByKey(PARTITION_ORDER))
			.map((entry) -> entry.getKey().partition() + "@" + entry.getValue())
			.collect(Collectors.joining(", "));
	}

	/** Reads a topic's partitions and offsets; refuses a topic that does not exist. */
	public static TopicLog read(Admin admin, String topic) {
		TopicDescription description;
		try {
			description = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
		}
		catch (ExecutionException ex) {
			if (ex.getCause() instanceof UnknownTopicOrPartitionException) {
				throw new OpsException("topic " + topic + " does not exist");
			}
			throw new IllegalStateException("cannot describe topic " + topic, ex.getCause());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("interrupted", ex);
		}
		List<TopicPartition> partitions = description.partitions()
			.stream()
			.map((info) -> new TopicPartition(topic, info.partition()))
			.toList();
		return new TopicLog(topic, description.topicId().toString(), list(admin, partitions, (p) -> OffsetSpec.earliest()),
				list(admin, partitions, (p) -> OffsetSpec.latest()), admin);
	}

	public String topic() {
		return this.topic;
	}

	/** The broker's id of the topic, which a recreated topic of the same name does not share. */
	public String topicId() {
		return this.topicId;
	}

	/** The partitions, in partition order. */
	public Set<TopicPartition> partitions() {
		return this.starts.keySet();
	}

	public long start(TopicPartition partition) {
		return this.starts.get(partition);
	}

	public long end(TopicPartition partition) {
		return this.ends.get(partition);
	}

	public long records() {
		return this.ends.keySet().stream().mapToLong((p) -> end(p) - start(p)).sum();
	}

	/**
	 * The offset of every partition for {@code position}.
	 *
	 * @param option the flag it came from, for the message of a refusal
	 */
	public Map<TopicPartition, Long> offsets(String option, Position position, Clock clock) {
		if (position instanceof Position.Offset offset) {
			return atOffset(option, offset.offset());
		}
		if (position instanceof Position.Time time) {
			return atTime(option, time.time(), clock);
		}
		Map<TopicPartition, Long> offsets = new TreeMap<>(PARTITION_ORDER);
		offsets.putAll((position instanceof Position.Latest) ? this.ends : this.starts);
		return offsets;
	}

	private Map<TopicPartition, Long> atOffset(String option, long offset) {
		Map<TopicPartition, Long> offsets = new TreeMap<>(PARTITION_ORDER);
		for (TopicPartition partition : partitions()) {
			if (offset < start(partition)) {
				throw new OpsException(option + " offset " + offset + " is before the start of " + partition
						+ " (first retained offset " + start(partition) + "): the changes before it are gone; "
						+ "replay from 'earliest' and flush the table's namespaces (ops flush) for what retention removed");
			}
			if (offset > end(partition)) {
				throw new OpsException(option + " offset " + offset + " is past the end of " + partition + " (end "
						+ end(partition) + ")");
			}
			offsets.put(partition, offset);
		}
		return offsets;
	}

	private Map<TopicPartition, Long> atTime(String option, Instant time, Clock clock) {
		if (time.isAfter(clock.instant())) {
			throw new OpsException(option + " " + time + " is in the future (now " + clock.instant().truncatedTo(ChronoUnit.SECONDS) + ")");
		}
		Map<TopicPartition, ListOffsetsResultInfo> first = listInfo(this.admin, partitions(),
				(p) -> OffsetSpec.forTimestamp(0));
		for (TopicPartition partition : partitions()) {
			ListOffsetsResultInfo info = first.get(partition);
			// a partition that retention never trimmed still holds everything since it was created
			if (start(partition) > 0 && info.offset() >= 0 && time.toEpochMilli() < info.timestamp()) {
				throw new OpsException(option + " " + time + " is before the start of " + partition
						+ " (first retained record at " + Instant.ofEpochMilli(info.timestamp())
						+ "): the changes before it are gone; replay from 'earliest' and flush the table's "
						+ "namespaces (ops flush) for what retention removed");
			}
		}
		Map<TopicPartition, ListOffsetsResultInfo> found = listInfo(this.admin, partitions(),
				(p) -> OffsetSpec.forTimestamp(time.toEpochMilli()));
		Map<TopicPartition, Long> offsets = new TreeMap<>(PARTITION_ORDER);
		for (TopicPartition partition : partitions()) {
			long offset = found.get(partition).offset();
			// -1: no record at or after the time, so the partition is read from its end (nothing)
			offsets.put(partition, (offset < 0) ? end(partition) : Math.max(offset, start(partition)));
		}
		return offsets;
	}

	private static Map<TopicPartition, Long> list(Admin admin, Iterable<TopicPartition> partitions,
			Function<TopicPartition, OffsetSpec> spec) {
		Map<TopicPartition, Long> offsets = new TreeMap<>(PARTITION_ORDER);
		listInfo(admin, partitions, spec).forEach((partition, info) -> offsets.put(partition, info.offset()));
		return offsets;
	}

	private static Map<TopicPartition, ListOffsetsResultInfo> listInfo(Admin admin, Iterable<TopicPartition> partitions,
			Function<TopicPartition, OffsetSpec> spec) {
		Map<TopicPartition, OffsetSpec> request = new HashMap<>();
		partitions.forEach((partition) -> request.put(partition, spec.apply(partition)));
		try {
			return admin.listOffsets(request).all().get();
		}
		catch (ExecutionException ex) {
			throw new IllegalStateException("cannot list offsets of " + request.keySet(), ex.getCause());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("interrupted", ex);
		}
	}
}
