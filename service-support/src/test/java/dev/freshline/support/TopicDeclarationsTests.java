package dev.freshline.support;

import java.util.Map;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;

import dev.freshline.model.RuleSet;
import dev.freshline.model.Topics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * The change topics get the configured partitions, replicas and minimum in-sync replicas, and are
 * never compacted; heartbeats, signals and dead letters get one partition each.
 */
class TopicDeclarationsTests {

	private final Topics topics = new Topics("freshline");

	private final TopicDeclarations declarations = new TopicDeclarations(this.topics, new TopicSettings(6, (short) 3, 2));

	@Test
	void shouldDeclareEveryChangeTopicWithTheSettingsAndTheNamedTopicsWithOnePartition() {
		Map<String, NewTopic> declared = this.declarations
			.newTopics(RuleSet.loadDefault(), this.topics.heartbeat(), this.topics.signals())
			.stream()
			.collect(Collectors.toMap(NewTopic::name, (topic) -> topic));

		assertThat(declared).containsOnlyKeys("freshline.public.formulary_item", "freshline.public.patient",
				"__debezium-heartbeat.freshline", "freshline.public.debezium_signal");
		assertThat(declared.get("freshline.public.patient").numPartitions()).isEqualTo(6);
		assertThat(declared.get("freshline.public.patient").replicationFactor()).isEqualTo((short) 3);
		assertThat(declared.get("freshline.public.patient").configs()).containsEntry("min.insync.replicas", "2")
			.containsEntry("cleanup.policy", "delete");
		assertThat(declared.get("__debezium-heartbeat.freshline").numPartitions()).isEqualTo(1);
		assertThat(declared.get("freshline.public.debezium_signal").replicationFactor()).isEqualTo((short) 3);
		assertThat(declared.get("freshline.public.debezium_signal").configs()).containsEntry("min.insync.replicas", "2");
	}

	@Test
	void shouldDeclareSinglePartitionTopicsWithTheReplicationFactor() {
		NewTopic deadLetters = this.declarations.singlePartition(this.topics.deadLetter());

		assertThat(deadLetters.name()).isEqualTo("freshline.invalidator.dlt");
		assertThat(deadLetters.numPartitions()).isEqualTo(1);
		assertThat(deadLetters.replicationFactor()).isEqualTo((short) 3);
		assertThat(deadLetters.configs()).containsEntry("min.insync.replicas", "2");
	}

	@Test
	void shouldLeaveMinInsyncReplicasToTheBrokerWhenUnset() {
		NewTopic patient = new TopicDeclarations(this.topics, new TopicSettings(3, (short) 1, null))
			.newTopics(RuleSet.loadDefault())
			.stream()
			.filter((topic) -> topic.name().equals("freshline.public.patient"))
			.findFirst()
			.orElseThrow();

		assertThat(patient.replicationFactor()).isEqualTo((short) 1);
		assertThat(patient.configs()).doesNotContainKey("min.insync.replicas");
	}

	@Test
	void shouldRefuseMoreInsyncReplicasThanReplicas() {
		assertThatIllegalArgumentException().isThrownBy(() -> new TopicSettings(3, (short) 1, 2))
			.withMessageContaining("exceeds the replication factor 1");
	}
}
