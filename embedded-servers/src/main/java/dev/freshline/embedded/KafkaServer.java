package dev.freshline.embedded;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Kafka 4.1 node (combined broker and KRaft controller) running inside this JVM, so tests
 * get genuine broker semantics without Docker or a separate process (the launcher runs one in a
 * JVM of its own, through {@link #resume}, so that it can be killed and restarted). Started here,
 * it is a single-node cluster; {@link KafkaCluster} starts three as one cluster. The broker's
 * threads are not daemons: a JVM that started one exits only after {@link #close()} or
 * {@link System#exit(int)}.
 */
public final class KafkaServer implements AutoCloseable {

	private static final Logger log = LoggerFactory.getLogger(KafkaServer.class);

	private static final String HOST = "127.0.0.1";

	/** The node id of a single-node cluster. */
	private static final int SINGLE_NODE_ID = 1;

	private static final String CONTROLLER_LISTENER = "CONTROLLER";

	private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

	private final KafkaRaftServer server;

	private final int nodeId;

	private final String bootstrapServers;

	private final Path logDirectory;

	private final boolean keepData;

	private final @Nullable KafkaUsers users;

	private final CloseOnce closeOnce;

	private KafkaServer(KafkaRaftServer server, int nodeId, String bootstrapServers, Path logDirectory, boolean keepData,
			@Nullable KafkaUsers users) {
		this.server = server;
		this.nodeId = nodeId;
		this.bootstrapServers = bootstrapServers;
		this.logDirectory = logDirectory;
		this.keepData = keepData;
		this.users = users;
		this.closeOnce = new CloseOnce("kafka-" + bootstrapServers + "-shutdown", this::close);
	}

	/**
	 * Formats {@code logDirectory} as a fresh single-node cluster and starts it, returning once an
	 * admin client sees the broker. The directory must be empty, absent, or a Kafka log directory
	 * left by an earlier run, which is discarded.
	 */
	public static KafkaServer start(Path logDirectory) {
		Path directory = logDirectory.toAbsolutePath();
		Directories.discardPrevious(directory, "meta.properties", "Kafka");
		int port = FreePorts.find();
		return start(directory, port, FreePorts.find(), port, false, null);
	}

	/**
	 * {@link #start(Path)} with security on: clients must log in with SASL/SCRAM as one of
	 * {@code users}, and may do only what its ACLs allow (see {@link KafkaSecurity}).
	 */
	public static KafkaServer startSecured(Path logDirectory, KafkaUsers users) {
		Path directory = logDirectory.toAbsolutePath();
		Directories.discardPrevious(directory, "meta.properties", "Kafka");
		int port = FreePorts.find();
		return start(directory, port, FreePorts.find(), port, false, users);
	}

	/**
	 * Starts a broker on the given ports that outlives its process: the log directory is formatted
	 * only if it holds no cluster yet, else its topics, offsets and cluster id are taken up again,
	 * and {@link #close()} keeps it. This is a broker that can be killed and started again, as a
	 * real one would be (the launcher runs it as a process of its own).
	 */
	public static KafkaServer resume(Path logDirectory, int brokerPort, int controllerPort) {
		return resume(logDirectory, brokerPort, controllerPort, brokerPort);
	}

	/**
	 * {@link #resume(Path, int, int)}, advertising {@code advertisedPort} to clients instead of the
	 * port it listens on: where a harness runs a TCP proxy in front of the broker. Kafka clients
	 * connect to the address the broker advertises, not to the one they bootstrapped from, so only
	 * an advertised proxy sees their traffic. The proxy must pass traffic while the broker starts.
	 */
	public static KafkaServer resume(Path logDirectory, int brokerPort, int controllerPort, int advertisedPort) {
		return start(logDirectory.toAbsolutePath(), brokerPort, controllerPort, advertisedPort, true, null);
	}

	/**
	 * {@link #resume(Path, int, int, int)} with security on, as {@link #startSecured}. The users'
	 * credentials are created when the directory is formatted, so a resumed broker keeps the ones
	 * it was formatted with; the ACLs are (re)applied at every start, which adds missing ones.
	 */
	public static KafkaServer resumeSecured(Path logDirectory, int brokerPort, int controllerPort, int advertisedPort,
			KafkaUsers users) {
		return start(logDirectory.toAbsolutePath(), brokerPort, controllerPort, advertisedPort, true, users);
	}

	/**
	 * Node {@code nodeId} of the cluster {@code clusterId} whose nodes are {@code nodes} (see
	 * {@link Node#parseAll}), resumable and secured as {@link #resumeSecured}: one broker of a
	 * replicated cluster whose nodes run as processes of their own. Start every node at once: each
	 * returns only once a majority of the controllers is up.
	 */
	public static KafkaServer resumeSecuredNode(Path logDirectory, String clusterId, List<Node> nodes, int nodeId,
			KafkaUsers users) {
		Node node = nodes.stream()
			.filter((candidate) -> candidate.id() == nodeId)
			.findFirst()
			.orElseThrow(() -> new IllegalArgumentException("node " + nodeId + " is not one of " + nodes));
		return start(logDirectory.toAbsolutePath(), new Quorum(clusterId, nodes), node, true, users);
	}

	private static KafkaServer start(Path directory, int brokerPort, int controllerPort, int advertisedPort,
			boolean keepData, @Nullable KafkaUsers users) {
		Node node = new Node(SINGLE_NODE_ID, brokerPort, controllerPort, advertisedPort);
		return start(directory, new Quorum(Uuid.randomUuid().toString(), List.of(node)), node, keepData, users);
	}

	/**
	 * Starts {@code node} of {@code quorum} in {@code directory}, formatting it unless it is kept
	 * and holds a cluster already. In a quorum of more than one, this returns only once a majority
	 * of the controllers is up: start the nodes side by side ({@link KafkaCluster}).
	 */
	static KafkaServer start(Path directory, Quorum quorum, Node node, boolean keepData, @Nullable KafkaUsers users) {
		long started = System.nanoTime();
		String listener = (users != null) ? KafkaUser.SECURITY_PROTOCOL : "PLAINTEXT";
		Properties properties = properties(directory, listener, quorum, node);
		if (users != null) {
			properties.putAll(KafkaSecurity.brokerProperties(users.broker(), listener, CONTROLLER_LISTENER));
		}
		KafkaConfig config = KafkaConfig.fromProps(properties, false);
		if (!keepData || !Files.exists(directory.resolve("meta.properties"))) {
			format(config, directory, quorum.clusterId(), node.id(), users);
		}
		KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
		String bootstrapServers = HOST + ":" + node.advertisedPort();
		KafkaServer kafka = new KafkaServer(server, node.id(), bootstrapServers, directory, keepData, users);
		try {
			server.startup();
			kafka.awaitReady();
			if (users != null) {
				KafkaSecurity.applyAcls(kafka.adminProperties(), users.acls());
			}
		}
		catch (RuntimeException ex) {
			kafka.close();
			throw new EmbeddedServerException("Kafka did not start in " + directory, ex);
		}
		log.info("Kafka started on {} in {} ms (logs {})", bootstrapServers,
				TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), directory);
		return kafka;
	}

	/** The client listener as advertised, for {@code bootstrap.servers}. */
	public String bootstrapServers() {
		return this.bootstrapServers;
	}

	/** The node id, as Kafka's metadata names this broker (a partition's leader, its replicas). */
	public int nodeId() {
		return this.nodeId;
	}

	/**
	 * The bootstrap servers, and on a secured broker the broker's own super-user login: for a test
	 * that sets up what no component may (its own ACLs, records in a topic), never for a component.
	 */
	public Map<String, Object> adminProperties() {
		Map<String, Object> properties = new HashMap<>();
		properties.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, this.bootstrapServers);
		if (this.users != null) {
			properties.putAll(this.users.broker().clientProperties());
		}
		return properties;
	}

	/** The bootstrap servers and {@code user}'s login, for a client of a secured broker. */
	public Map<String, Object> clientProperties(KafkaUser user) {
		Map<String, Object> properties = new HashMap<>(user.clientProperties());
		properties.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, this.bootstrapServers);
		return properties;
	}

	/** Shuts the broker and controller down, waits for them, and deletes the log directory (unless resumable). */
	@Override
	public synchronized void close() {
		if (!this.closeOnce.first()) {
			return;
		}
		long started = System.nanoTime();
		try {
			this.server.shutdown();
			this.server.awaitShutdown();
		}
		finally {
			if (!this.keepData) {
				Directories.deleteRecursively(this.logDirectory);
			}
		}
		log.info("Kafka on {} stopped in {} ms", this.bootstrapServers,
				TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
	}

	@Override
	public String toString() {
		return "KafkaServer[" + this.bootstrapServers + "]";
	}

	/**
	 * {@code listener}: the clients' listener, named after its security protocol. Every node of a
	 * quorum is a combined broker and controller, and every one votes.
	 */
	private static Properties properties(Path directory, String listener, Quorum quorum, Node node) {
		// internal topics get a replica on every node, up to Kafka's default of three
		String replicas = String.valueOf(Math.min(3, quorum.nodes().size()));
		String minInsync = String.valueOf(Math.min(2, quorum.nodes().size()));
		Properties properties = new Properties();
		properties.putAll(Map.ofEntries(
				Map.entry("process.roles", "broker,controller"),
				Map.entry("node.id", String.valueOf(node.id())),
				Map.entry("listeners", listener + "://" + HOST + ":" + node.brokerPort()
						+ "," + CONTROLLER_LISTENER + "://" + HOST + ":" + node.controllerPort()),
				Map.entry("advertised.listeners", listener + "://" + HOST + ":" + node.advertisedPort()),
				Map.entry("listener.security.protocol.map", listener + ":" + listener + "," + CONTROLLER_LISTENER + ":PLAINTEXT"),
				Map.entry("inter.broker.listener.name", listener),
				Map.entry("controller.listener.names", CONTROLLER_LISTENER),
				// A static voter set (kraft.version 0) needs no --standalone bootstrap snapshot.
				Map.entry("controller.quorum.voters", quorum.voters()),
				Map.entry("log.dirs", directory.toString()),
				// Topics must be declared, as in production: a typo must fail, not create a topic.
				Map.entry("auto.create.topics.enable", "false"),
				Map.entry("num.partitions", "1"),
				Map.entry("default.replication.factor", replicas),
				// 1 even with replicas: a topic says how many it needs (TopicSettings), so a test can
				// declare a topic with one replica on a cluster and see what that costs
				Map.entry("min.insync.replicas", "1"),
				Map.entry("offsets.topic.replication.factor", replicas),
				Map.entry("offsets.topic.num.partitions", "1"),
				Map.entry("transaction.state.log.replication.factor", replicas),
				Map.entry("transaction.state.log.min.isr", minInsync),
				Map.entry("transaction.state.log.num.partitions", "1"),
				Map.entry("share.coordinator.state.topic.replication.factor", replicas),
				Map.entry("share.coordinator.state.topic.min.isr", minInsync),
				Map.entry("share.coordinator.state.topic.num.partitions", "1"),
				// A node of a cluster that stops leaves as a crashed one would: without asking the
				// controller to move its leaderships first, so the others notice it only when its
				// heartbeats stop (broker.session.timeout.ms). A single node has nobody to ask.
				Map.entry("controlled.shutdown.enable", String.valueOf(quorum.nodes().size() == 1)),
				// Consumers in tests join alone: waiting 3 s for more members is pure latency.
				Map.entry("group.initial.rebalance.delay.ms", "0"),
				// Modest threads and buffers for a 2-core machine shared with Postgres and Redis.
				Map.entry("num.network.threads", "2"),
				Map.entry("num.io.threads", "2"),
				Map.entry("background.threads", "2"),
				Map.entry("num.recovery.threads.per.data.dir", "1"),
				Map.entry("num.replica.fetchers", "1"),
				Map.entry("group.coordinator.threads", "1"),
				Map.entry("share.coordinator.threads", "1"),
				Map.entry("log.cleaner.threads", "1"),
				// The cleaner allocates this buffer up front; the default is 128 MB of heap.
				Map.entry("log.cleaner.dedupe.buffer.size", String.valueOf(8 * 1024 * 1024))));
		return properties;
	}

	/**
	 * Writes meta.properties and the bootstrap metadata, which is what {@code kafka-storage.sh format}
	 * does; every node of a cluster is formatted with the same cluster id.
	 */
	private static void format(KafkaConfig config, Path directory, String clusterId, int nodeId,
			@Nullable KafkaUsers users) {
		ByteArrayOutputStream output = new ByteArrayOutputStream();
		try (PrintStream printStream = new PrintStream(output, true, StandardCharsets.UTF_8)) {
			new Formatter()
					// kafka-storage format --add-scram: the credentials are in the bootstrap metadata,
					// so they exist before the first client connects (created later with
					// Admin.alterUserScramCredentials, they would reach the broker's cache a moment
					// after the broker answered, and the first logins could fail)
					.setScramArguments((users != null) ? users.all().stream().map(KafkaUser::scramArgument).toList() : List.of())
					.setPrintStream(printStream)
					.setNodeId(nodeId)
					.setClusterId(clusterId)
					.setControllerListenerName(CONTROLLER_LISTENER)
					.setMetadataLogDirectory(config.metadataLogDir())
					.addDirectory(directory.toString())
					// Static voters: the quorum is not dynamic (KIP-853), so kraft.version stays 0.
					.setHasDynamicQuorum(false)
					.run();
		}
		catch (Exception ex) {
			throw new EmbeddedServerException("Cannot format Kafka storage in " + directory, ex);
		}
		log.debug("Formatted Kafka storage: {}", output.toString(StandardCharsets.UTF_8).trim());
	}

	/** Waits until an admin client can reach the broker, proving the listener and the metadata are up. */
	private void awaitReady() {
		Properties properties = new Properties();
		properties.putAll(adminProperties());
		properties.put(AdminClientConfig.CLIENT_ID_CONFIG, "embedded-kafka-readiness");
		long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
		try (Admin admin = Admin.create(properties)) {
			while (true) {
				try {
					int brokers = admin.describeCluster(new DescribeClusterOptions().timeoutMs(5_000))
							.nodes().get(10, TimeUnit.SECONDS).size();
					if (brokers > 0) {
						return;
					}
				}
				catch (ExecutionException | TimeoutException ex) {
					if (System.nanoTime() > deadline) {
						throw new EmbeddedServerException("Kafka not ready after " + READY_TIMEOUT, ex);
					}
					log.debug("Kafka not ready yet", ex);
				}
				if (System.nanoTime() > deadline) {
					throw new EmbeddedServerException("Kafka has no broker after " + READY_TIMEOUT);
				}
				LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new EmbeddedServerException("Interrupted while waiting for Kafka", ex);
		}
	}

	/** Where one node of a quorum listens, on 127.0.0.1; {@code advertisedPort} is what clients are told. */
	public record Node(int id, int brokerPort, int controllerPort, int advertisedPort) {

		/** As {@link #parseAll} reads it: {@code id:brokerPort:controllerPort}. */
		public String spec() {
			return this.id + ":" + this.brokerPort + ":" + this.controllerPort;
		}

		/** Nodes from {@code id:brokerPort:controllerPort,...}, each advertising its broker port. */
		public static List<Node> parseAll(String specs) {
			List<Node> nodes = new ArrayList<>();
			for (String spec : specs.split(",")) {
				String[] parts = spec.trim().split(":");
				if (parts.length != 3) {
					throw new IllegalArgumentException("a Kafka node is id:brokerPort:controllerPort, not '" + spec + "'");
				}
				int port = Integer.parseInt(parts[1]);
				nodes.add(new Node(Integer.parseInt(parts[0]), port, Integer.parseInt(parts[2]), port));
			}
			return nodes;
		}
	}

	/** The nodes of one cluster, every one a voter of its controller quorum. */
	record Quorum(String clusterId, List<Node> nodes) {

		Quorum {
			nodes = List.copyOf(nodes);
		}

		/** {@code controller.quorum.voters}: a static voter set, the same on every node. */
		String voters() {
			return this.nodes.stream()
				.map((node) -> node.id() + "@" + HOST + ":" + node.controllerPort())
				.collect(java.util.stream.Collectors.joining(","));
		}
	}
}
