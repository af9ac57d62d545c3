package dev.freshline.bench;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;

/**
 * Kills (SIGKILL) the Kafka broker that leads partition 0 of a change topic, as a crashed broker
 * would stop (the launcher then restarts it, as a Kubernetes StatefulSet would); recovered once
 * another broker leads that partition, which takes the controller's broker session timeout.
 */
final class BrokerKill implements FailoverStaleness.Fault {

	private final StackProcess stack;

	private final String topic;

	private final int leader;

	private BrokerKill(StackProcess stack, String topic, int leader) {
		this.stack = stack;
		this.topic = topic;
		this.leader = leader;
	}

	/** The fault for the broker that leads {@code topic}'s partition 0 now. */
	static BrokerKill of(StackProcess stack, String topic) throws Exception {
		Node leader = leaderOfPartition0(stack, topic);
		if (leader == null || leader.isEmpty()) {
			throw new IllegalStateException(topic + "-0 has no leader");
		}
		return new BrokerKill(stack, topic, leader.id());
	}

	@Override
	public String inject() throws Exception {
		Signals.send("KILL", this.stack.pid("kafka-" + this.leader));
		return "broker kafka-" + this.leader + " (leader of " + this.topic + "-0) killed";
	}

	@Override
	public void awaitRecovered(Duration timeout) throws Exception {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (true) {
			Node now = leaderOfPartition0(this.stack, this.topic);
			if (now != null && !now.isEmpty() && now.id() != this.leader) {
				return;
			}
			if (System.nanoTime() > deadline) {
				throw new IllegalStateException(this.topic + "-0 still had no other leader than broker " + this.leader
						+ " after " + timeout.toSeconds() + " s");
			}
			LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
		}
	}

	private static Node leaderOfPartition0(StackProcess stack, String topic) throws Exception {
		try (Admin admin = Admin.create(stack.kafkaClient(Map.of()))) {
			List<TopicPartitionInfo> partitions = admin.describeTopics(List.of(topic))
				.allTopicNames()
				.get(10, TimeUnit.SECONDS)
				.get(topic)
				.partitions();
			return partitions.get(0).leader();
		}
	}
}
