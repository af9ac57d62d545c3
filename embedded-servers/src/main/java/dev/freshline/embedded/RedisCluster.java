package dev.freshline.embedded;

import java.io.IOException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Redis Cluster on loopback: three primaries, each with one replica, every node a
 * {@link RedisServer} started with {@code cluster-enabled yes}. It waits until every node says
 * {@code cluster_state:ok} and agrees on who serves which slots, so a client connecting right
 * after start sees the final topology. {@link #failover} kills a primary and waits until its
 * replica is promoted, as a crash in production would go.
 *
 * <p>Started with users, every node loads the same ACL file (clients log in to every node with
 * the same credentials), plus two users of this class' own with random passwords: an
 * administrator that forms the cluster, and the replicas' {@code masteruser}, allowed only what
 * replication needs ({@code PSYNC}, {@code REPLCONF}, {@code PING}), since the file's default user
 * may be off. Turning that user off on one primary ({@link #cutReplication}) stages a replica that
 * misses its primary's last writes.
 */
public final class RedisCluster implements AutoCloseable {

	private static final Logger log = LoggerFactory.getLogger(RedisCluster.class);

	/** Primaries; each gets one replica. */
	public static final int PRIMARIES = 3;

	private static final int SLOTS = 16384;

	/** Redis 6.2 has no {@code cluster-port}: the bus is always on the client port plus this. */
	private static final int BUS_PORT_OFFSET = 10000;

	/** How long a node may be unreachable before the others consider it failed; short, so a failover takes seconds. */
	private static final int NODE_TIMEOUT_MILLIS = 1000;

	private static final long WAIT_NANOS = TimeUnit.SECONDS.toNanos(30);

	/** The cluster's own administrator, when nodes load an ACL file. */
	static final String ADMIN = "freshline-cluster-admin";

	/** The user replicas replicate as, when nodes load an ACL file. */
	static final String REPLICATOR = "freshline-cluster-replica";

	private final List<RedisServer> nodes;

	private final @Nullable String adminPassword;

	private final CloseOnce closeOnce;

	private RedisCluster(List<RedisServer> nodes, @Nullable String adminPassword) {
		this.nodes = List.copyOf(nodes);
		this.adminPassword = adminPassword;
		this.closeOnce = new CloseOnce("redis-cluster-shutdown", this::close);
	}

	/** Starts six nodes on free loopback ports and forms the cluster; the default user is open. */
	public static RedisCluster start() {
		return start(null);
	}

	/** As {@link #start()}, every node with the users of {@code aclFile} (the text of an ACL file, such as RedisUsers renders). */
	public static RedisCluster startWithUsers(String aclFile) {
		return start(aclFile);
	}

	private static RedisCluster start(@Nullable String aclFile) {
		long started = System.nanoTime();
		String adminPassword = (aclFile != null) ? randomPassword() : null;
		String replicatorPassword = randomPassword();
		String nodeAcl = (aclFile != null)
				? aclFile + "user " + ADMIN + " on resetpass >" + adminPassword + " ~* &* +@all\n" + "user " + REPLICATOR
						+ " on resetpass >" + replicatorPassword + " resetkeys resetchannels -@all +psync +replconf +ping\n"
				: null;
		List<String> settings = new ArrayList<>(List.of("cluster-enabled yes", "cluster-config-file nodes.conf",
				"cluster-node-timeout " + NODE_TIMEOUT_MILLIS));
		if (aclFile != null) {
			settings.add("masteruser " + REPLICATOR);
			settings.add("masterauth " + replicatorPassword);
		}
		List<RedisServer> nodes = new ArrayList<>();
		RedisCluster cluster = null;
		try {
			for (int i = 0; i < 2 * PRIMARIES; i++) {
				nodes.add(RedisServer.start(FreePorts.findWithCompanion(BUS_PORT_OFFSET), nodeAcl, settings));
			}
			cluster = new RedisCluster(nodes, adminPassword);
			cluster.form();
			log.info("Redis Cluster of {} nodes ({} primaries) ready on {} in {} ms", nodes.size(), PRIMARIES,
					cluster.nodeAddresses(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
			return cluster;
		}
		catch (RuntimeException ex) {
			if (cluster != null) {
				cluster.close();
			}
			else {
				nodes.forEach(RedisServer::close);
			}
			throw new EmbeddedServerException("Redis Cluster did not form", ex);
		}
	}

	/**
	 * Slots split evenly over the first three nodes, every node introduced to the first, each of
	 * the last three made the replica of one primary, then waits until the cluster serves.
	 */
	private void form() {
		for (int i = 0; i < PRIMARIES; i++) {
			int from = i * SLOTS / PRIMARIES;
			int to = (i + 1) * SLOTS / PRIMARIES;
			List<String> command = new ArrayList<>(List.of("CLUSTER", "ADDSLOTS"));
			for (int slot = from; slot < to; slot++) {
				command.add(Integer.toString(slot));
			}
			call(this.nodes.get(i), command.toArray(String[]::new));
		}
		RedisServer first = this.nodes.get(0);
		for (RedisServer node : this.nodes.subList(1, this.nodes.size())) {
			call(first, "CLUSTER", "MEET", node.host(), Integer.toString(node.port()));
		}
		await("every node knows every other", () -> this.nodes.stream()
			.allMatch((node) -> clusterNodes(node).size() == this.nodes.size()));
		for (int i = 0; i < PRIMARIES; i++) {
			String primaryId = call(this.nodes.get(i), "CLUSTER", "MYID");
			RedisServer replica = this.nodes.get(PRIMARIES + i);
			// a MEET travels by gossip: the replica may need a moment to learn the primary's id
			await("replica " + replica.port() + " follows " + this.nodes.get(i).port(),
					() -> tryCall(replica, "CLUSTER", "REPLICATE", primaryId).isPresent());
		}
		awaitServing(this.nodes);
	}

	/** Waits until every node of {@code live} serves, agrees on three primaries with slots, and every replica is in sync. */
	private void awaitServing(List<RedisServer> live) {
		await("cluster_state:ok on every node", () -> live.stream()
			.allMatch((node) -> tryCall(node, "CLUSTER", "INFO").map((info) -> info.contains("cluster_state:ok")).orElse(false)));
		await("every node agrees on the primaries", () -> live.stream()
			.map((node) -> primaryPorts(clusterNodes(node)))
			.distinct()
			.count() == 1);
		await("every replica in sync", () -> live.stream()
			.map((node) -> tryCall(node, "INFO", "replication").orElse(""))
			.filter((info) -> info.contains("role:slave"))
			.allMatch((info) -> info.contains("master_link_status:up")));
	}

	/** Every node, primaries and replicas, in the order they were started. */
	public List<RedisServer> nodes() {
		return this.nodes;
	}

	/** {@code host:port} of every node, comma-separated: the value of {@code spring.data.redis.cluster.nodes}. */
	public String nodeAddresses() {
		return this.nodes.stream().map((node) -> node.host() + ":" + node.port()).collect(Collectors.joining(","));
	}

	/** The nodes that serve slots now, as the live nodes see it. */
	public List<RedisServer> primaries() {
		List<Integer> ports = primaryPorts(clusterNodes(anyLiveNode()));
		return this.nodes.stream().filter((node) -> ports.contains(node.port())).toList();
	}

	/** The primary that serves {@code slot} now, as the live nodes see it. */
	public RedisServer primaryServing(int slot) {
		int port = clusterNodes(anyLiveNode()).stream()
			.filter((line) -> line.flags().contains("master") && !line.flags().contains("fail") && line.serves(slot))
			.map(NodeLine::port)
			.findFirst()
			.orElseThrow(() -> new IllegalStateException("no primary serves slot " + slot));
		return this.nodes.stream().filter((node) -> node.port() == port).findFirst().orElseThrow();
	}

	/** The replica following {@code primary} now. */
	public RedisServer replicaOf(RedisServer primary) {
		String primaryId = call(primary, "CLUSTER", "MYID");
		List<Integer> ports = clusterNodes(anyLiveNode()).stream()
			.filter((line) -> line.flags().contains("slave") && line.primaryId().equals(primaryId))
			.map(NodeLine::port)
			.toList();
		return this.nodes.stream()
			.filter((node) -> ports.contains(node.port()) && node.isRunning())
			.findFirst()
			.orElseThrow(() -> new IllegalStateException("no live replica follows " + primary));
	}

	/**
	 * Kills {@code primary} (SIGKILL) and waits until the other primaries have promoted its
	 * replica and every live node serves again: what a crashed primary costs, about the node
	 * timeout plus an election.
	 *
	 * @return the promoted replica
	 */
	public RedisServer failover(RedisServer primary) {
		RedisServer replica = replicaOf(primary);
		long started = System.nanoTime();
		primary.kill();
		await("replica " + replica.port() + " promoted", () -> tryCall(replica, "INFO", "replication")
			.map((info) -> info.contains("role:master"))
			.orElse(false));
		List<RedisServer> live = this.nodes.stream().filter(RedisServer::isRunning).toList();
		await("every live node sees " + replica.port() + " as a primary", () -> live.stream()
			.allMatch((node) -> primaryPorts(clusterNodes(node)).contains(replica.port())));
		await("cluster_state:ok on every live node", () -> live.stream()
			.allMatch((node) -> tryCall(node, "CLUSTER", "INFO").map((info) -> info.contains("cluster_state:ok")).orElse(false)));
		log.info("Redis primary {} killed, replica {} promoted in {} ms", primary.port(), replica.port(),
				TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
		return replica;
	}

	/** Waits until {@code primary}'s replica has applied every write the primary had applied when called. */
	public void awaitReplicated(RedisServer primary) {
		long offset = replicationField(call(primary, "INFO", "replication"), "master_repl_offset");
		RedisServer replica = replicaOf(primary);
		await("replica " + replica.port() + " at offset " + offset, () -> tryCall(replica, "INFO", "replication")
			.map((info) -> replicationField(info, "slave_repl_offset") >= offset)
			.orElse(false));
	}

	private static long replicationField(String info, String field) {
		return info.lines()
			.filter((line) -> line.startsWith(field + ":"))
			.mapToLong((line) -> Long.parseLong(line.substring(field.length() + 1).trim()))
			.findFirst()
			.orElse(-1);
	}

	/**
	 * Cuts {@code primary} off from its replica and keeps it so: the replication user is turned
	 * off on the primary and the replica's link closed, so writes the primary acknowledges from
	 * now on never reach the replica, as when a primary dies before replicating its last writes.
	 * Only for a cluster started with users (replicas log in as {@value #REPLICATOR}).
	 */
	public void cutReplication(RedisServer primary) {
		if (this.adminPassword == null) {
			throw new IllegalStateException("only a cluster started with users replicates as a user that can be turned off");
		}
		RedisServer replica = replicaOf(primary);
		call(primary, "ACL", "SETUSER", REPLICATOR, "off");
		call(primary, "CLIENT", "KILL", "USER", REPLICATOR);
		await("replica " + replica.port() + " lost its link", () -> tryCall(replica, "INFO", "replication")
			.map((info) -> info.contains("master_link_status:down"))
			.orElse(false));
	}

	/**
	 * Sends one command to {@code node} as the cluster's administrator (or the open default
	 * user) and returns the reply as {@link RespClient} renders it.
	 *
	 * @throws EmbeddedServerException if the node cannot be reached or answers with an error
	 */
	public String call(RedisServer node, String... command) {
		try (RespClient client = connect(node)) {
			String reply = client.call(command);
			return (reply != null) ? reply : "";
		}
		catch (IOException ex) {
			throw new EmbeddedServerException("Redis " + node.port() + " refused " + command[0] + " "
					+ ((command.length > 1) ? command[1] : "") + ": " + ex.getMessage(), ex);
		}
	}

	private Optional<String> tryCall(RedisServer node, String... command) {
		try {
			return Optional.of(call(node, command));
		}
		catch (EmbeddedServerException ex) {
			return Optional.empty();
		}
	}

	private RespClient connect(RedisServer node) throws IOException {
		RespClient client = new RespClient(node.host(), node.port());
		if (this.adminPassword != null) {
			try {
				client.call("AUTH", ADMIN, this.adminPassword);
			}
			catch (IOException ex) {
				client.close();
				throw ex;
			}
		}
		return client;
	}

	private RedisServer anyLiveNode() {
		return this.nodes.stream()
			.filter(RedisServer::isRunning)
			.findFirst()
			.orElseThrow(() -> new IllegalStateException("no node of the cluster runs"));
	}

	/** {@code CLUSTER NODES} of {@code node}, one entry per line; empty if it cannot be asked. */
	private List<NodeLine> clusterNodes(RedisServer node) {
		return tryCall(node, "CLUSTER", "NODES").map((text) -> text.lines()
			.filter((line) -> !line.isBlank())
			.map(NodeLine::parse)
			.toList()).orElse(List.of());
	}

	/** Ports of the nodes that are primaries with slots and not failed, sorted. */
	private static List<Integer> primaryPorts(List<NodeLine> lines) {
		return lines.stream()
			.filter((line) -> line.flags().contains("master") && !line.flags().contains("fail") && line.hasSlots())
			.map(NodeLine::port)
			.sorted()
			.toList();
	}

	/** Stops every node and removes their files. */
	@Override
	public void close() {
		if (!this.closeOnce.first()) {
			return;
		}
		for (RedisServer node : this.nodes) {
			try {
				node.close();
			}
			catch (RuntimeException ex) {
				log.warn("Redis Cluster node {} did not close cleanly", node.port(), ex);
			}
		}
	}

	@Override
	public String toString() {
		return "RedisCluster[" + nodeAddresses() + "]";
	}

	private static void await(String what, BooleanSupplier condition) {
		long deadline = System.nanoTime() + WAIT_NANOS;
		while (!condition.getAsBoolean()) {
			if (System.nanoTime() > deadline) {
				throw new EmbeddedServerException("Redis Cluster: timed out waiting until " + what);
			}
			LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
		}
	}

	private static String randomPassword() {
		byte[] bytes = new byte[24];
		new SecureRandom().nextBytes(bytes);
		return HexFormat.of().formatHex(bytes);
	}

	/**
	 * One line of {@code CLUSTER NODES}:
	 * {@code <id> <ip:port@bus> <flags> <primary id or -> <ping> <pong> <epoch> <link> <slot> ...}.
	 */
	private record NodeLine(String id, int port, List<String> flags, String primaryId, List<String> slotRanges) {

		static NodeLine parse(String line) {
			String[] fields = line.trim().split(" ");
			String address = fields[1];
			int port = Integer.parseInt(address.substring(address.lastIndexOf(':') + 1, address.indexOf('@')));
			List<String> ranges = List.of(fields).subList(Math.min(8, fields.length), fields.length);
			return new NodeLine(fields[0], port, List.of(fields[2].split(",")), fields[3], ranges);
		}

		boolean hasSlots() {
			return !this.slotRanges.isEmpty();
		}

		/** Whether a range such as {@code 0-5460} (or a single slot) covers {@code slot}; migrations ({@code [..]}) do not. */
		boolean serves(int slot) {
			for (String range : this.slotRanges) {
				if (range.startsWith("[")) {
					continue;
				}
				String[] bounds = range.split("-");
				int from = Integer.parseInt(bounds[0]);
				int to = (bounds.length > 1) ? Integer.parseInt(bounds[1]) : from;
				if (slot >= from && slot <= to) {
					return true;
				}
			}
			return false;
		}
	}
}
