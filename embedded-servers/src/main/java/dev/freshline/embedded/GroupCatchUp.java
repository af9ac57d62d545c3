package dev.freshline.embedded;

import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.jspecify.annotations.Nullable;

/**
 * Whether a consumer group has committed every record its partitions held at one moment: the
 * ends of the partitions it reads (those it committed in, and those assigned to its members) are
 * read once, at the first check that finds any, and every later check compares the group's
 * committed offsets with them. Rereading the ends at every check would instead ask for an instant
 * when nothing sits between a producer and the group's commit, which a stream that never stops
 * (the connector's watermark markers, every 50 ms in every partition) may not offer on a loaded
 * machine, least of all on three brokers whose followers copy each record before a consumer sees it.
 */
public final class GroupCatchUp {

	private static final long TIMEOUT_SECONDS = 10;

	private final Admin admin;

	private final String group;

	private @Nullable Map<TopicPartition, Long> ends;

	public GroupCatchUp(Admin admin, String group) {
		this.admin = admin;
		this.group = group;
	}

	/** True once the group committed up to every end read at the first check; false while it has no partition yet. */
	public boolean reached() throws Exception {
		return check().reached();
	}

	/**
	 * Per partition, the records between the group's committed offset and the end read at the
	 * first check; empty once caught up, or while the group reads no partition yet (then
	 * {@link #reached()} is still false).
	 */
	public Map<TopicPartition, Long> behind() throws Exception {
		return check().behind();
	}

	/** Both answers from one reading of the committed offsets: what a wait that reports its failure polls. */
	public synchronized Check check() throws Exception {
		Map<TopicPartition, OffsetAndMetadata> committed = committed();
		if (this.ends == null) {
			Map<TopicPartition, Long> read = endsOf(committed.keySet());
			if (read.isEmpty()) {
				return new Check(false, Map.of());
			}
			this.ends = read;
		}
		Map<TopicPartition, Long> behind = new TreeMap<>(Comparator.comparing(TopicPartition::toString));
		this.ends.forEach((partition, end) -> {
			OffsetAndMetadata offset = committed.get(partition);
			long lag = end - ((offset != null) ? offset.offset() : 0);
			if (lag > 0) {
				behind.put(partition, lag);
			}
		});
		return new Check(behind.isEmpty(), behind);
	}

	/**
	 * One check: whether the group caught up, and per partition the records it has still to commit.
	 *
	 * @param reached false while the group reads no partition yet, although nothing is behind
	 */
	public record Check(boolean reached, Map<TopicPartition, Long> behind) {
	}

	private Map<TopicPartition, OffsetAndMetadata> committed() throws Exception {
		try {
			return this.admin.listConsumerGroupOffsets(this.group)
				.partitionsToOffsetAndMetadata()
				.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
		}
		catch (ExecutionException ex) {
			if (ex.getCause() instanceof GroupIdNotFoundException) {
				// no member has joined yet: nothing committed
				return Map.of();
			}
			throw ex;
		}
	}

	private Map<TopicPartition, Long> endsOf(Set<TopicPartition> committedIn) throws Exception {
		Set<TopicPartition> partitions = new HashSet<>(committedIn);
		try {
			this.admin.describeConsumerGroups(List.of(this.group))
				.describedGroups()
				.get(this.group)
				.get(TIMEOUT_SECONDS, TimeUnit.SECONDS)
				.members()
				.forEach((member) -> partitions.addAll(member.assignment().topicPartitions()));
		}
		catch (ExecutionException ex) {
			if (!(ex.getCause() instanceof GroupIdNotFoundException)) {
				throw ex;
			}
		}
		if (partitions.isEmpty()) {
			return Map.of();
		}
		return this.admin
			.listOffsets(partitions.stream().collect(Collectors.toMap((partition) -> partition, (partition) -> OffsetSpec.latest())))
			.all()
			.get(TIMEOUT_SECONDS, TimeUnit.SECONDS)
			.entrySet()
			.stream()
			.collect(Collectors.toMap(Map.Entry::getKey, (end) -> end.getValue().offset()));
	}
}
