package dev.freshline.invalidator.invalidation;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.kafka.core.KafkaAdmin;
import org.springframework.kafka.listener.ConsumerAwareRebalanceListener;
import org.springframework.kafka.listener.ListenerMetadata;
import org.springframework.kafka.listener.OffsetAndMetadataProvider;
import org.springframework.stereotype.Component;

import dev.freshline.cache.FlushCause;
import dev.freshline.invalidator.InvalidatorProperties;
import dev.freshline.model.CommitMetadata;
import dev.freshline.model.Namespace;
import dev.freshline.model.RuleSet;
import dev.freshline.model.Topics;

/**
 * No silent skips (I4). Kafka's {@code auto.offset.reset} would quietly jump over every change
 * the group never applied: when the group has no committed offset for a partition, or its
 * offset is no longer in the log (retention deleted records it never read, or the topic was
 * recreated). A recreated topic whose log is long enough to hold the old offset shows only by
 * its id: every commit of this group names the ids of the topics it was reading
 * ({@link CommitMetadata}, written through spring-kafka's {@link OffsetAndMetadataProvider}), and
 * an assignment compares them with the topic's id now. Each such partition flushes its table's
 * namespaces, restarts from the earliest retained record, and is counted
 * ({@code freshline.offset.resets}) and logged. An offset that can be read from but
 * that this group did not commit itself (moved forward by an operator with {@code ops reset-group
 * --allow-skip}, which marks it, or by any other tool, which writes no topic ids) flushes the
 * same way and is read from where it is. While a partition is assigned, the
 * consumer's own reset (retention deleting records the group has not applied yet) shows as a gap
 * in offsets, which change topics never have otherwise (no compaction, no transactions): the same
 * flush follows, and the gap stays open until that flush succeeded.
 */
@Component
class OffsetGuard implements ConsumerAwareRebalanceListener, OffsetAndMetadataProvider, DisposableBean {

	private static final Logger log = LoggerFactory.getLogger(OffsetGuard.class);

	/** Gaps found, per change topic: each flushed its table's namespaces before reading on. */
	static final String OFFSET_RESETS = "freshline.offset.resets";

	private final Topics topics;

	private final RuleSet rules;

	private final NamespaceFlusher flusher;

	private final MeterRegistry meters;

	private final InvalidatorProperties.Retry retry;

	private final KafkaAdmin admin;

	/**
	 * The ids of the topics assigned to the consumer of the calling thread, as checked on
	 * assignment. Per thread because each consumer of the group (one per unit of concurrency)
	 * has its own assignment, and a KafkaConsumer refuses to be used from any thread but its
	 * own: its rebalance callbacks and its commits run on the same thread.
	 */
	private final ThreadLocal<AssignedTopics> assignedTopics = ThreadLocal.withInitial(AssignedTopics::new);

	/** One client for every describe, created on the first assignment and closed with the context. */
	private @Nullable Admin client;

	/**
	 * The first offset of each assigned partition whose effect is not yet durable; a record
	 * beyond it means a skip.
	 */
	private final Map<TopicPartition, Long> expected = new ConcurrentHashMap<>();

	OffsetGuard(Topics topics, RuleSet rules, NamespaceFlusher flusher, InvalidatorProperties properties,
			MeterRegistry meters, KafkaAdmin admin) {
		this.retry = properties.retry();
		this.admin = admin;
		this.topics = topics;
		this.rules = rules;
		this.flusher = flusher;
		this.meters = meters;
	}

	@Override
	public void onPartitionsAssigned(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
		if (partitions.isEmpty()) {
			return;
		}
		Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(new HashSet<>(partitions));
		Map<TopicPartition, Long> earliest = consumer.beginningOffsets(partitions);
		Map<TopicPartition, Long> latest = consumer.endOffsets(partitions);
		Map<String, String> topicIds = retryUntilDone("describe the assigned topics",
				() -> topicIds(partitions.stream().map(TopicPartition::topic).collect(Collectors.toSet())));
		this.assignedTopics.get().add(topicIds);
		Map<TopicPartition, String> broken = new HashMap<>();
		Map<TopicPartition, String> doubted = new HashMap<>();
		for (TopicPartition partition : partitions) {
			OffsetAndMetadata offset = committed.get(partition);
			String problem = (offset == null) ? "the group has no committed offset"
					: problemWith(partition, offset, earliest.get(partition), latest.get(partition),
							topicIds.get(partition.topic()));
			if (problem != null) {
				broken.put(partition, problem);
				continue;
			}
			this.expected.put(partition, offset.offset());
			String doubt = doubtAbout(offset);
			if (doubt != null) {
				doubted.put(partition, doubt);
			}
		}
		flushBeforeReading(consumer, broken, doubted);
	}

	/** Why {@code offset} cannot be read from, or null when it can. */
	private @Nullable String problemWith(TopicPartition partition, OffsetAndMetadata offset, long first, long end,
			@Nullable String topicId) {
		CommitMetadata metadata = CommitMetadata.parse(offset.metadata());
		if (topicId != null && metadata.knowsTopics() && !metadata.topicIds().contains(topicId)) {
			return "committed offset " + offset.offset() + " was committed for topic id(s) " + metadata.topicIds()
					+ ", but the topic's id is now " + topicId + ": the topic was deleted and recreated";
		}
		if (offset.offset() < first) {
			return "committed offset " + offset.offset() + " is below the earliest retained record " + first
					+ ": retention deleted changes this group never applied";
		}
		if (offset.offset() > end) {
			return "committed offset " + offset.offset() + " is beyond the end of the log (" + end
					+ "): the topic was recreated";
		}
		return null;
	}

	/**
	 * Why the records before {@code offset} cannot be trusted to have been applied although it can
	 * be read from, or null when they can: only an offset this group committed itself vouches for
	 * what precedes it. One moved by an operator past records (marked by {@code ops reset-group
	 * --allow-skip}) or written by anything else (Kafka's own reset tool, which can move the group
	 * forward) may have skipped changes.
	 */
	private static @Nullable String doubtAbout(OffsetAndMetadata offset) {
		CommitMetadata metadata = CommitMetadata.parse(offset.metadata());
		if (metadata.recordsSkip()) {
			return "an operator moved the group to offset " + offset.offset() + " past " + metadata.skipped()
					+ " record(s) it never applied (ops reset-group --allow-skip)";
		}
		if (!metadata.knowsTopics()) {
			return "committed offset " + offset.offset()
					+ " was not written by an invalidator (it names no topic id): what moved it may have skipped changes";
		}
		return null;
	}

	/**
	 * Every offset the containers commit carries the ids of the topics this consumer was
	 * assigned, checked against the broker on assignment.
	 */
	@Override
	public OffsetAndMetadata provide(ListenerMetadata listener, long offset) {
		return new OffsetAndMetadata(offset, metadata());
	}

	private String metadata() {
		return this.assignedTopics.get().metadata();
	}

	@Override
	public void onPartitionsRevokedAfterCommit(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
		forget(consumer, partitions);
	}

	@Override
	public void onPartitionsLost(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
		forget(consumer, partitions);
	}

	private void forget(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
		partitions.forEach(this.expected::remove);
		// the assignment still lists the partitions being taken away while this runs
		Set<String> kept = consumer.assignment()
			.stream()
			.filter((partition) -> !partitions.contains(partition))
			.map(TopicPartition::topic)
			.collect(Collectors.toSet());
		this.assignedTopics.get().retain(kept);
	}

	/**
	 * The topics of one consumer's assignment with their ids, and the metadata every commit of
	 * that consumer carries, encoded once per assignment rather than once per commit.
	 */
	private static final class AssignedTopics {

		private final Map<String, String> ids = new HashMap<>();

		private String metadata = "";

		void add(Map<String, String> topicIds) {
			this.ids.putAll(topicIds);
			this.metadata = new CommitMetadata(Set.copyOf(this.ids.values())).encode();
		}

		void retain(Set<String> topics) {
			if (this.ids.keySet().retainAll(topics)) {
				this.metadata = new CommitMetadata(Set.copyOf(this.ids.values())).encode();
			}
		}

		String metadata() {
			return this.metadata;
		}
	}

	/**
	 * Called with every poll's records, in their order, before any of them is applied. Offsets
	 * going back are the error handler's retries; an offset beyond the next one to apply means the
	 * consumer reset past records nobody applied. Inside the poll each record must follow the one
	 * before it in its partition, while {@code expected} stays at the first offset not yet durable:
	 * the records of this poll are merely delivered until {@link #applied} says otherwise, so a
	 * retry that lands after retention deleted them is still seen as a gap. A gap stays open until
	 * its flush succeeded: a flush that fails leaves the expected offset where it was, so the
	 * redelivered poll sees the gap again and flushes again. Flushing before the poll's earlier
	 * records are applied is safe: a flush removes values, leases and floors, so whatever runs
	 * after it can only leave the cache more invalidated.
	 */
	void observe(List<? extends ConsumerRecord<?, ?>> records) {
		Map<TopicPartition, Long> delivered = new HashMap<>();
		for (ConsumerRecord<?, ?> record : records) {
			TopicPartition partition = new TopicPartition(record.topic(), record.partition());
			Long previous = delivered.get(partition);
			Long next = (previous != null) ? previous : this.expected.get(partition);
			if (next != null && record.offset() > next) {
				flush(partition, "offsets " + next + " to " + (record.offset() - 1)
						+ " were skipped: retention deleted them before this group applied them");
				if (previous == null) {
					// closed only now that its flush succeeded; applied() moves past the record itself
					this.expected.put(partition, record.offset());
				}
			}
			delivered.put(partition, record.offset() + 1);
		}
	}

	/**
	 * Called once the effect of every record of a poll is durable (applied, or flushed and
	 * dead-lettered). Only then does the next offset become the expected one: a record retried
	 * while retention deletes it is a gap when the consumer resets to the record after it.
	 */
	void applied(List<? extends ConsumerRecord<?, ?>> records) {
		records.forEach(this::applied);
	}

	/** As {@link #applied(List)} for one record: the error handler's recoverer dead-lettered it. */
	void applied(ConsumerRecord<?, ?> record) {
		this.expected.put(new TopicPartition(record.topic(), record.partition()), record.offset() + 1);
	}

	/**
	 * Flushes the namespaces of every broken or doubted partition, once per namespace, before any
	 * of their records is read; broken ones restart from the earliest retained record, doubted
	 * ones stay where they are. Each is counted and logged, and its offset committed again with
	 * this group's metadata, so that a restart before the first record does not flush again.
	 */
	private void flushBeforeReading(Consumer<?, ?> consumer, Map<TopicPartition, String> broken,
			Map<TopicPartition, String> doubted) {
		if (broken.isEmpty() && doubted.isEmpty()) {
			return;
		}
		Map<TopicPartition, Long> resume = new HashMap<>();
		if (!broken.isEmpty()) {
			Map<TopicPartition, Long> earliest = consumer.beginningOffsets(broken.keySet());
			earliest.forEach((partition, offset) -> {
				resume.put(partition, offset);
				consumer.seek(partition, offset);
			});
		}
		doubted.keySet().forEach((partition) -> resume.put(partition, this.expected.get(partition)));
		Map<TopicPartition, String> reasons = new HashMap<>(doubted);
		reasons.putAll(broken);
		Set<Namespace> namespaces = new LinkedHashSet<>();
		List<String> logged = new ArrayList<>();
		reasons.forEach((partition, reason) -> {
			if (this.topics.tableOf(partition.topic()).isEmpty()) {
				// the heartbeat topic: nothing cached depends on it
				log.debug("{}: {}; reading from offset {}", partition, reason, resume.get(partition));
				return;
			}
			log.warn("{}: {}; flushing its table's namespaces, then reading from offset {}", partition, reason,
					resume.get(partition));
			namespaces.addAll(namespacesOf(partition));
			logged.add(partition + ": " + reason);
			this.meters.counter(OFFSET_RESETS, "topic", partition.topic()).increment();
		});
		// no record of these partitions is read until the flush succeeded
		flushUntilDone(namespaces, String.join("; ", logged));
		Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
		resume.forEach((partition, offset) -> {
			this.expected.put(partition, offset);
			commit.put(partition, new OffsetAndMetadata(offset, metadata()));
		});
		consumer.commitSync(commit);
	}

	/**
	 * Redis may be down right when partitions are assigned. Going on without the flush would be
	 * the silent skip this class exists to prevent, so it is retried with back-off, forever, as
	 * every transient failure is; a rebalance meanwhile only repeats the check.
	 */
	private void flushUntilDone(Set<Namespace> namespaces, String reason) {
		retryUntilDone("flush " + namespaces, () -> {
			this.flusher.flush(namespaces, FlushCause.OFFSET_GAP, reason);
			return namespaces;
		});
	}

	/**
	 * Runs {@code action} until it succeeds, with the configured back-off. An exception thrown
	 * from a rebalance callback would leave the partitions assigned at their committed offsets,
	 * unchecked: so the callback never gives up, as no transient failure does.
	 */
	private <T> T retryUntilDone(String what, Supplier<T> action) {
		long pause = this.retry.initialInterval().toMillis();
		while (true) {
			try {
				return action.get();
			}
			catch (RuntimeException ex) {
				log.warn("Could not {}, retrying in {} ms: {}", what, pause, ex.toString());
				try {
					Thread.sleep(pause);
				}
				catch (InterruptedException interrupted) {
					Thread.currentThread().interrupt();
					throw ex;
				}
				pause = Math.min(pause * 2, this.retry.maxInterval().toMillis());
			}
		}
	}

	/**
	 * The broker's id of each topic; a topic deleted right now has none and is left to the other
	 * checks (its partitions are revoked at the next rebalance).
	 */
	private Map<String, String> topicIds(Set<String> names) {
		Map<String, String> ids = new HashMap<>();
		Map<String, KafkaFuture<TopicDescription>> descriptions = client().describeTopics(names).topicNameValues();
		for (Map.Entry<String, KafkaFuture<TopicDescription>> description : descriptions.entrySet()) {
			try {
				ids.put(description.getKey(), description.getValue().get(30, TimeUnit.SECONDS).topicId().toString());
			}
			catch (ExecutionException ex) {
				if (!(ex.getCause() instanceof UnknownTopicOrPartitionException)) {
					throw new IllegalStateException("Cannot describe " + description.getKey(), ex.getCause());
				}
				log.warn("{} does not exist while assigned: its id cannot be checked", description.getKey());
			}
			catch (TimeoutException ex) {
				throw new IllegalStateException("Describing " + description.getKey() + " timed out", ex);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new IllegalStateException("Interrupted while describing " + description.getKey(), ex);
			}
		}
		return ids;
	}

	private synchronized Admin client() {
		if (this.client == null) {
			this.client = Admin.create(this.admin.getConfigurationProperties());
		}
		return this.client;
	}

	@Override
	public synchronized void destroy() {
		if (this.client != null) {
			this.client.close(java.time.Duration.ofSeconds(5));
			this.client = null;
		}
	}

	private Set<Namespace> namespacesOf(TopicPartition partition) {
		return this.topics.tableOf(partition.topic()).map(this.rules::namespacesOf).orElse(Set.of());
	}

	private void flush(TopicPartition partition, String reason) {
		log.warn("{}: {}", partition, reason);
		this.flusher.flush(namespacesOf(partition), FlushCause.OFFSET_GAP, partition + ": " + reason);
		this.meters.counter(OFFSET_RESETS, "topic", partition.topic()).increment();
	}
}
