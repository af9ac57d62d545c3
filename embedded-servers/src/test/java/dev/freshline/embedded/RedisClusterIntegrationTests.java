package dev.freshline.embedded;

import java.io.IOException;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** Six real redis-server processes formed into a cluster: slots, replicas, users and a failover. */
class RedisClusterIntegrationTests {

	@Test
	void shouldServeEverySlotWithThreePrimariesEachWithAReplica() {
		try (RedisCluster cluster = RedisCluster.start()) {
			List<RedisServer> primaries = cluster.primaries();

			assertThat(primaries).hasSize(RedisCluster.PRIMARIES);
			for (RedisServer node : cluster.nodes()) {
				String info = cluster.call(node, "CLUSTER", "INFO");
				assertThat(info).contains("cluster_state:ok", "cluster_slots_assigned:16384", "cluster_known_nodes:6",
						"cluster_size:3");
			}
			for (RedisServer primary : primaries) {
				RedisServer replica = cluster.replicaOf(primary);
				assertThat(replica).isNotIn(primaries);
				assertThat(cluster.call(replica, "INFO", "replication")).contains("role:slave",
						"master_port:" + primary.port(), "master_link_status:up");
			}
			assertThat(cluster.nodeAddresses().split(",")).hasSize(6);
		}
	}

	@Test
	void shouldPromoteTheReplicaOfAKilledPrimary() {
		try (RedisCluster cluster = RedisCluster.start()) {
			RedisServer primary = cluster.primaries().get(1);
			RedisServer replica = cluster.replicaOf(primary);

			RedisServer promoted = cluster.failover(primary);

			assertThat(promoted).isSameAs(replica);
			assertThat(primary.isRunning()).isFalse();
			assertThat(cluster.primaries()).hasSize(RedisCluster.PRIMARIES).contains(replica).doesNotContain(primary);
			assertThat(cluster.call(promoted, "CLUSTER", "INFO")).contains("cluster_state:ok");
		}
	}

	@Test
	void shouldLoadTheSameUsersOnEveryNodeAndKeepTheDefaultUserOut() throws IOException {
		String acl = "user default off resetpass resetkeys resetchannels -@all\n"
				+ "user app on resetpass >secret resetkeys ~app:* resetchannels -@all +auth +hello +ping +get +set\n";
		try (RedisCluster cluster = RedisCluster.startWithUsers(acl)) {
			for (RedisServer node : cluster.nodes()) {
				try (RespClient client = new RespClient(node.host(), node.port())) {
					assertThatThrownBy(() -> client.call("PING")).hasMessageContaining("NOAUTH");
					assertThat(client.call("AUTH", "app", "secret")).isEqualTo("OK");
					assertThat(client.call("PING")).isEqualTo("PONG");
					assertThatThrownBy(() -> client.call("CLUSTER", "INFO")).hasMessageContaining("NOPERM");
				}
			}
			// replicas log in to their primaries as a user of the cluster's own
			for (RedisServer primary : cluster.primaries()) {
				assertThat(cluster.call(cluster.replicaOf(primary), "INFO", "replication")).contains("master_link_status:up");
			}
		}
	}

	@Test
	void shouldKeepAReplicaCutOffFromItsPrimaryOnceReplicationIsCut() {
		try (RedisCluster cluster = RedisCluster.startWithUsers("user default on nopass ~* &* +@all\n")) {
			RedisServer primary = cluster.primaries().get(0);
			RedisServer replica = cluster.replicaOf(primary);

			cluster.cutReplication(primary);

			// the replica retries about once a second: it must stay cut off
			await().during(Duration.ofMillis(2500)).atMost(Duration.ofSeconds(5)).until(
					() -> cluster.call(replica, "INFO", "replication").contains("master_link_status:down"));
		}
	}
}
