package dev.freshline.pipeline;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.freshline.embedded.SharedServers;
import dev.freshline.model.Namespace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Snapshot reads ({@code op = r}) name rows exactly like inserts: a connector configured to
 * snapshot (here {@code snapshot.mode=always}, through the Debezium passthrough) evicts the keys
 * of every existing row, the way a re-snapshot repairs a cache.
 */
class SnapshotReadIntegrationTests {

	private PipelineStack stack;

	@BeforeEach
	void startStack() throws Exception {
		this.stack = PipelineStack.start(Map.of("freshline.cdc.debezium[snapshot.mode]", "always"), null);
	}

	@AfterEach
	void stopStack() throws Exception {
		this.stack.close();
	}

	@Test
	void shouldEvictTheKeysOfEverySnapshottedRow() throws Exception {
		this.stack.stopConnector();
		// the first snapshot's events must all be applied, or they could be what evicts the keys below
		await().until(this::invalidatorsCaughtUp);
		List<String> keys = List.of(this.stack.keys().patient(17), this.stack.keys().patient(2999),
				this.stack.keys().key(Namespace.WARD, "ward-b"), this.stack.keys().formulary(3));
		keys.forEach((key) -> this.stack.redis().set(key, "cached before the snapshot"));

		this.stack.startConnector();

		await().untilAsserted(() -> assertThat(this.stack.redis().exists(keys.toArray(String[]::new))).isZero());
	}

	private boolean invalidatorsCaughtUp() throws Exception {
		try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
				SharedServers.get().kafka().bootstrapServers()))) {
			Map<TopicPartition, OffsetAndMetadata> committed = admin
				.listConsumerGroupOffsets(this.stack.invalidatorGroup())
				.partitionsToOffsetAndMetadata()
				.get(10, TimeUnit.SECONDS);
			List<String> topics = List.of(this.stack.topics().changes("patient"),
					this.stack.topics().changes("formulary_item"));
			Map<TopicPartition, OffsetSpec> latest = admin.describeTopics(topics)
				.allTopicNames()
				.get(10, TimeUnit.SECONDS)
				.values()
				.stream()
				.flatMap((topic) -> topic.partitions()
					.stream()
					.map((partition) -> new TopicPartition(topic.name(), partition.partition())))
				.collect(Collectors.toMap((partition) -> partition, (partition) -> OffsetSpec.latest()));
			Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends = admin.listOffsets(latest)
				.all()
				.get(10, TimeUnit.SECONDS);
			long total = ends.values().stream().mapToLong(ListOffsetsResult.ListOffsetsResultInfo::offset).sum();
			return total > 0 && ends.entrySet().stream().allMatch((end) -> end.getValue().offset() == 0
					|| (committed.get(end.getKey()) != null && committed.get(end.getKey()).offset() == end.getValue().offset()));
		}
	}
}
