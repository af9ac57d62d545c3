package dev.freshline.bench;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * The patient topic's side of the pipeline: records the connector produced, and the invalidator
 * group's consumer lag (records produced but not yet committed).
 */
final class Backlog implements AutoCloseable {

	static final String INVALIDATOR_GROUP = "freshline-invalidator";

	private final Admin admin;

	private final String topic;

	Backlog(StackProcess stack, String topic) {
		this.admin = Admin.create(stack.kafkaClient(Map.of()));
		this.topic = topic;
	}

	long invalidatorLag() {
		try {
			Map<TopicPartition, OffsetAndMetadata> committed = this.admin.listConsumerGroupOffsets(INVALIDATOR_GROUP)
				.partitionsToOffsetAndMetadata()
				.get();
			Map<TopicPartition, OffsetSpec> latest = committed.keySet()
				.stream()
				.filter((partition) -> partition.topic().equals(this.topic))
				.collect(Collectors.toMap((partition) -> partition, (partition) -> OffsetSpec.latest()));
			long lag = 0;
			for (var end : this.admin.listOffsets(latest).all().get().entrySet()) {
				OffsetAndMetadata position = committed.get(end.getKey());
				lag += end.getValue().offset() - ((position != null) ? position.offset() : 0);
			}
			return lag;
		}
		catch (Exception ex) {
			return -1;
		}
	}

	/** Every record the connector produced to the topic so far (the sum of its partitions' end offsets), or -1. */
	long produced() {
		try {
			Map<TopicPartition, OffsetSpec> latest = this.admin.describeTopics(List.of(this.topic))
				.allTopicNames()
				.get()
				.get(this.topic)
				.partitions()
				.stream()
				.collect(Collectors.toMap((partition) -> new TopicPartition(this.topic, partition.partition()),
						(partition) -> OffsetSpec.latest()));
			return this.admin.listOffsets(latest).all().get().values().stream().mapToLong((end) -> end.offset()).sum();
		}
		catch (Exception ex) {
			return -1;
		}
	}

	@Override
	public void close() {
		this.admin.close();
	}
}
