package dev.freshline.embedded;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A group's catch-up is judged against the ends read at the first check: records that keep
 * arriving afterwards (as the connector's markers do, every 50 ms) cannot hold a group back that
 * committed everything there was, while a check that rereads the ends would be held back.
 */
class GroupCatchUpIntegrationTests {

	private final KafkaServer kafka = SharedServers.get().kafka();

	@Test
	void shouldJudgeTheGroupAgainstTheEndsOfItsFirstCheckWhileRecordsKeepArriving() throws Exception {
		String topic = SharedServers.uniqueName("catch-up");
		String group = SharedServers.uniqueName("group");
		TopicPartition partition = new TopicPartition(topic, 0);
		try (Admin admin = Admin.create(this.kafka.adminProperties()); KafkaProducer<String, String> producer = producer()) {
			admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
			GroupCatchUp catchUp = new GroupCatchUp(admin, group);
			assertThat(catchUp.reached()).as("a group that reads nothing yet has not caught up").isFalse();

			send(producer, topic, 3);
			commit(admin, group, partition, 2);
			assertThat(catchUp.behind()).as("the ends are read at the first check that finds a partition")
				.containsExactly(Map.entry(partition, 1L));
			assertThat(catchUp.reached()).isFalse();

			send(producer, topic, 5);
			commit(admin, group, partition, 3);
			assertThat(catchUp.reached()).as("caught up with the first check's ends, whatever arrived since").isTrue();
			// the negative control: ends read now include what arrived since, which the group has not committed
			assertThat(new GroupCatchUp(admin, group).behind()).containsExactly(Map.entry(partition, 5L));
		}
	}

	private KafkaProducer<String, String> producer() {
		Map<String, Object> properties = new HashMap<>(this.kafka.adminProperties());
		properties.put(ProducerConfig.ACKS_CONFIG, "all");
		return new KafkaProducer<>(properties, new StringSerializer(), new StringSerializer());
	}

	private static void send(KafkaProducer<String, String> producer, String topic, int records) throws Exception {
		for (int i = 0; i < records; i++) {
			producer.send(new ProducerRecord<>(topic, "k", "v" + i)).get(30, TimeUnit.SECONDS);
		}
	}

	private static void commit(Admin admin, String group, TopicPartition partition, long offset) throws Exception {
		admin.alterConsumerGroupOffsets(group, Map.of(partition, new OffsetAndMetadata(offset))).all().get(30, TimeUnit.SECONDS);
	}
}
