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

import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.kafka.listener.ConsumerAwareRebalanceListener;
import org.springframework.stereotype.Component;

import dev.freshline.invalidator.InvalidatorProperties;
import dev.freshline.model.Namespace;
import dev.freshline.model.RuleSet;
import dev.freshline.model.Topics;

/**
 * No silent skips (I4). Kafka's {@code auto.offset.reset} would quietly jump over every change
 * the group never applied: when the group has no committed offset for a partition, or its
 * offset is no longer in the log (retention deleted records it never read, or the topic was
 * recreated). Here each such partition flushes its table's namespaces, restarts from the
 * earliest retained record, and is counted ({@code freshline.invalidator.offset.resets}) and
 * logged. While a partition is assigned, the consumer's own reset (retention deleting records
 * the group has not read yet) shows as a gap in offsets, which change topics never have
 * otherwise (no compaction, no transactions): the same flush follows.
 */
@Component
class OffsetGuard implements ConsumerAwareRebalanceListener {

	private static final Logger log = LoggerFactory.getLogger(OffsetGuard.class);

	private final Topics topics;

	private final RuleSet rules;

	private final NamespaceFlusher flusher;

	private final MeterRegistry meters;

	private final InvalidatorProperties.Retry retry;

	/**
	 * The first offset of each assigned partition whose effect is not yet durable; a record
	 * beyond it means a skip.
	 */
	private final Map<TopicPartition, Long> expected = new ConcurrentHashMap<>();

	OffsetGuard(Topics topics, RuleSet rules, NamespaceFlusher flusher, InvalidatorProperties properties,
			MeterRegistry meters) {
		this.retry = properties.retry();
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
		Map<TopicPartition, String> broken = new HashMap<>();
		for (TopicPartition partition : partitions) {
			OffsetAndMetadata offset = committed.get(partition);
			long first = earliest.get(partition);
			long end = latest.get(partition);
			if (offset == null) {
				broken.put(partition, "the group has no committed offset");
			}
			else if (offset.offset() < first) {
				broken.put(partition, "committed offset " + offset.offset() + " is below the earliest retained record "
						+ first + ": retention deleted changes this group never applied");
			}
			else if (offset.offset() > end) {
				broken.put(partition, "committed offset " + offset.offset() + " is beyond the end of the log (" + end
						+ "): the topic was recreated");
			}
			else {
				this.expected.put(partition, offset.offset());
			}
		}
		restartFromEarliest(consumer, broken);
	}

	@Override
	public void onPartitionsRevokedAfterCommit(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
		partitions.forEach(this.expected::remove);
	}

	@Override
	public void onPartitionsLost(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
		partitions.forEach(this.expected::remove);
	}

	/**
	 * Called for every record before it is applied. Offsets going back are the error handler's
	 * retries; an offset beyond the next one to apply means the consumer reset past records
	 * nobody applied. The gap stays open until its flush succeeded: a flush that fails leaves the
	 * expected offset where it was, so the error handler's redelivery of this record sees the gap
	 * again and flushes again.
	 */
	void observe(ConsumerRecord<?, ?> record) {
		TopicPartition partition = new TopicPartition(record.topic(), record.partition());
		Long next = this.expected.get(partition);
		if (next != null && record.offset() > next) {
			flush(partition, "offsets " + next + " to " + (record.offset() - 1)
					+ " were skipped: retention deleted them before this group applied them");
		}
		this.expected.put(partition, record.offset());
	}

	/**
	 * Called once a record's effect is durable (applied, or flushed and dead-lettered). Only then
	 * does the next offset become the expected one: a record retried while retention deletes it
	 * is a gap when the consumer resets to the record after it.
	 */
	void applied(ConsumerRecord<?, ?> record) {
		this.expected.put(new TopicPartition(record.topic(), record.partition()), record.offset() + 1);
	}

	private void restartFromEarliest(Consumer<?, ?> consumer, Map<TopicPartition, String> broken) {
		if (broken.isEmpty()) {
			return;
		}
		Map<TopicPartition, Long> earliest = consumer.beginningOffsets(broken.keySet());
		Map<TopicPartition, OffsetAndMetadata> restart = new HashMap<>();
		Set<Namespace> namespaces = new LinkedHashSet<>();
		List<String> reasons = new ArrayList<>();
		broken.forEach((partition, reason) -> {
			restart.put(partition, new OffsetAndMetadata(earliest.get(partition)));
			consumer.seek(partition, earliest.get(partition));
			if (this.topics.tableOf(partition.topic()).isEmpty()) {
				// the heartbeat topic: nothing cached depends on it
				log.debug("{}: {}; reading from the earliest retained record", partition, reason);
				return;
			}
			log.warn("{}: {}; reading from the earliest retained record ({})", partition, reason, earliest.get(partition));
			namespaces.addAll(namespacesOf(partition));
			reasons.add(partition + ": " + reason);
			this.meters.counter("freshline.invalidator.offset.resets", "topic", partition.topic()).increment();
		});
		// one flush per namespace, however many of its partitions broke; no record of these
		// partitions is read until it succeeded
		flushUntilDone(namespaces, String.join("; ", reasons));
		restart.forEach((partition, offset) -> this.expected.put(partition, offset.offset()));
		// committed at once, so that a restart before the first record does not flush again
		consumer.commitSync(restart);
	}

	/**
	 * Redis may be down right when partitions are assigned. Going on without the flush would be
	 * the silent skip this class exists to prevent, so it is retried with back-off, forever, as
	 * every transient failure is; a rebalance meanwhile only repeats the check.
	 */
	private void flushUntilDone(Set<Namespace> namespaces, String reason) {
		long pause = this.retry.initialInterval().toMillis();
		while (true) {
			try {
				this.flusher.flush(namespaces, reason);
				return;
			}
			catch (RuntimeException ex) {
				log.warn("Flushing {} failed, retrying in {} ms: {}", namespaces, pause, ex.toString());
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

	private Set<Namespace> namespacesOf(TopicPartition partition) {
		return this.topics.tableOf(partition.topic()).map(this.rules::namespacesOf).orElse(Set.of());
	}

	private void flush(TopicPartition partition, String reason) {
		log.warn("{}: {}", partition, reason);
		this.flusher.flush(namespacesOf(partition), partition + ": " + reason);
		this.meters.counter("freshline.invalidator.offset.resets", "topic", partition.topic()).increment();
	}
}
