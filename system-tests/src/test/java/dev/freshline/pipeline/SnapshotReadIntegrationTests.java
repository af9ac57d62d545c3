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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.freshline.embedded.SharedServers;
import dev.freshline.model.Namespace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Snapshot reads ({@code op = r}) name rows exactly like inserts: a connector configured to
 * snapshot (here {@code snapshot.mode=always}, through the Debezium passthrough) evicts the keys
 * of every existing row, the way a re-snapshot repairs a cache.
 */
@ExtendWith(PipelineStackExtension.class)
@StackProperties("freshline.cdc.debezium[snapshot.mode]=always")
class SnapshotReadIntegrationTests {

	@Test
	void shouldEvictTheKeysOfEverySnapshottedRow(PipelineStack stack) throws Exception {
		stack.stopConnector();
		// the first snapshot's events must all be applied, or they could be what evicts the keys below
		await().until(() -> invalidatorsCaughtUp(stack));
		List<String> keys = List.of(stack.keys().patient(17), stack.keys().patient(2999),
				stack.keys().key(Namespace.WARD, "ward-b"), stack.keys().formulary(3));
		keys.forEach((key) -> stack.redis().set(key, "cached before the snapshot"));

		stack.startConnector();

		await().untilAsserted(() -> assertThat(stack.redis().exists(keys.toArray(String[]::new))).isZero());
	}

	private static boolean invalidatorsCaughtUp(PipelineStack stack) throws Exception {
		try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
				SharedServers.get().kafka().bootstrapServers()))) {
			Map<TopicPartition, OffsetAndMetadata> committed = admin
				.listConsumerGroupOffsets(stack.invalidatorGroup())
				.partitionsToOffsetAndMetadata()
				.get(10, TimeUnit.SECONDS);
			List<String> topics = List.of(stack.topics().changes("patient"),
					stack.topics().changes("formulary_item"));
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
