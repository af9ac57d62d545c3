package dev.freshline.invalidator.invalidation;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.freshline.embedded.ServiceEnvironment;
import dev.freshline.embedded.SharedServers;

import static dev.freshline.invalidator.invalidation.Waits.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A rebalance while one consumer of the group is held at a record (a slow Redis, a delete retried
 * with back-off) must not stop the others. With an eager assignor every member gives up all its
 * partitions when a rebalance starts and waits for the held one to rejoin, up to
 * {@code max.poll.interval.ms} (5 minutes): every partition's invalidations, and every applied
 * watermark the API's fence reads, stop with it. The invalidator uses the cooperative protocol,
 * under which members keep working on the partitions they keep while the rebalance waits.
 */
class RebalanceIntegrationTests {

	private static final String HEARTBEAT = "spring.kafka.consumer.heartbeat-interval";

	private final CountDownLatch arrived = new CountDownLatch(1);

	private final CountDownLatch opened = new CountDownLatch(1);

	private InvalidatorStack held;

	private InvalidatorStack joining;

	@AfterEach
	void stop() {
		this.opened.countDown();
		if (this.joining != null) {
			this.joining.close();
		}
		if (this.held != null) {
			this.held.close();
		}
	}

	@Test
	void shouldKeepInvalidatingTheOtherPartitionsWhileARebalanceWaitsForAHeldConsumer() throws Exception {
		this.held = new InvalidatorStack(SharedServers.get().redis(), Map.of(ServiceEnvironment.INVALIDATOR_CONCURRENCY, 3,
				// members hear of a rebalance at their next heartbeat (3 s by default): sooner here
				HEARTBEAT, "100ms"),
				new InvalidationHooks() {
					@Override
					public void beforeDelete(String key) {
						if (key.endsWith(":patient:{701}")) {
							hold();
						}
					}
				});
		String topic = this.held.topics.changes("patient");
		await("three consumers, each with a patient partition").until(() -> patientOwners(topic).size() == 3);
		TopicPartition stuck = new TopicPartition(topic, 0);
		Set<TopicPartition> heldPartitions = describe().members()
			.stream()
			.map((member) -> member.assignment().topicPartitions())
			.filter((assigned) -> assigned.contains(stuck))
			.findFirst()
			.orElseThrow();
		TopicPartition other = patientOwners(topic).stream()
			.filter((partition) -> !heldPartitions.contains(partition))
			.findFirst()
			.orElseThrow();
		String heldKey = this.held.keys.patient(701);
		String otherKey = this.held.keys.patient(702);
		this.held.redis().mset(Map.of(heldKey, "cached", otherKey, "cached"));

		this.held.send(stuck, "{\"id\":701}", InvalidatorStack.patientChange("u", 701L, 701L));
		assertThat(this.arrived.await(30, TimeUnit.SECONDS)).as("the consumer of %s reached the held delete", stuck).isTrue();
		// a second invalidator joins the group: a rebalance that cannot finish until the held consumer polls again
		this.joining = new InvalidatorStack(SharedServers.get().redis(), Map.of(HEARTBEAT, "100ms"), this.held.name);
		await("the rebalance started").until(() -> describe().groupState() != GroupState.STABLE);
		// twenty heartbeats: every member has heard of it and, were the protocol eager, given up its partitions
		await("the rebalance waiting for the held consumer").during(Duration.ofSeconds(2))
			.until(() -> describe().groupState() != GroupState.STABLE);
		this.held.send(other, "{\"id\":702}", InvalidatorStack.patientChange("u", 702L, 702L));

		await("the change on " + other + " applied while " + stuck + "'s consumer is held")
			.untilAsserted(() -> assertThat(this.held.redis().exists(otherKey)).isZero());
		assertThat(this.held.redis().exists(heldKey)).as("the held delete").isEqualTo(1);

		this.opened.countDown();
		await("the held change applied").untilAsserted(() -> assertThat(this.held.redis().exists(heldKey)).isZero());
		await("the group stable with four members").until(
				() -> describe().groupState() == GroupState.STABLE && describe().members().size() == 4);
	}

	private void hold() {
		this.arrived.countDown();
		try {
			this.opened.await(2, TimeUnit.MINUTES);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	private List<TopicPartition> patientOwners(String topic) throws Exception {
		return describe().members()
			.stream()
			.flatMap((member) -> member.assignment().topicPartitions().stream())
			.filter((partition) -> partition.topic().equals(topic))
			.toList();
	}

	private ConsumerGroupDescription describe() throws Exception {
		try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
				SharedServers.get().kafka().bootstrapServers()))) {
			return admin.describeConsumerGroups(List.of(this.held.groupId()))
				.describedGroups()
				.get(this.held.groupId())
				.get(10, TimeUnit.SECONDS);
		}
	}
}
