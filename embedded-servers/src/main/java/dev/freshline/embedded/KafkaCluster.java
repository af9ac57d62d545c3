package dev.freshline.embedded;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.Uuid;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Three {@link KafkaServer} nodes on 127.0.0.1 as one Kafka cluster: every node a broker and a
 * voter of one KRaft controller quorum, each with its own ports and log directory, so a test can
 * kill one node (its leaderships and, if it is the active controller, the quorum's leadership move
 * to the others) and start it again on the same ports and data, as a replicated production
 * cluster would see a broker crash and come back. Internal topics get three replicas.
 */
public final class KafkaCluster implements AutoCloseable {

	private static final Logger log = LoggerFactory.getLogger(KafkaCluster.class);

	/** The smallest cluster that keeps a quorum and two in-sync replicas with one node down. */
	public static final int SIZE = 3;

	private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

	private final Path directory;

	private final KafkaServer.Quorum quorum;

	/** The running nodes by id; a killed node is absent until restarted. */
	private final Map<Integer, KafkaServer> running = new LinkedHashMap<>();

	private final CloseOnce closeOnce;

	private final @Nullable KafkaUsers users;

	private KafkaCluster(Path directory, KafkaServer.Quorum quorum, @Nullable KafkaUsers users) {
		this.directory = directory;
		this.quorum = quorum;
		this.users = users;
		this.closeOnce = new CloseOnce("kafka-cluster-" + directory.getFileName() + "-shutdown", this::close);
	}

	/**
	 * Formats and starts three nodes in subdirectories of {@code directory} (empty, absent, or a
	 * cluster left by an earlier run, which is discarded), returning once every broker is
	 * registered and unfenced.
	 */
	public static KafkaCluster start(Path directory) {
		return start(directory, null);
	}

	/**
	 * {@link #start(Path)} with security on every node, as {@link KafkaServer#startSecured}: clients
	 * log in with SASL/SCRAM as one of {@code users} and may do only what its ACLs allow, and the
	 * brokers replicate to each other as the broker's own super-user.
	 */
	public static KafkaCluster startSecured(Path directory, KafkaUsers users) {
		return start(directory, users);
	}

	private static KafkaCluster start(Path directory, @Nullable KafkaUsers users) {
		Path root = directory.toAbsolutePath();
		Directories.discardPrevious(root, "node-1", "Kafka cluster");
		List<KafkaServer.Node> nodes = new ArrayList<>();
		for (int id = 1; id <= SIZE; id++) {
			int port = FreePorts.find();
			nodes.add(new KafkaServer.Node(id, port, FreePorts.find(), port));
		}
		KafkaCluster cluster = new KafkaCluster(root, new KafkaServer.Quorum(Uuid.randomUuid().toString(), nodes), users);
		long started = System.nanoTime();
		// a node's start returns only once the quorum has a leader, which takes a majority of the
		// voters: the nodes start side by side
		List<CompletableFuture<KafkaServer>> starts = onEach(nodes, cluster::startNode);
		try {
			for (CompletableFuture<KafkaServer> start : starts) {
				KafkaServer node = start.join();
				synchronized (cluster) {
					cluster.running.put(node.nodeId(), node);
				}
			}
			cluster.awaitBrokers(SIZE);
		}
		catch (RuntimeException ex) {
			// the nodes that did start are closed with the cluster; a start still blocked waiting for
			// a quorum ends when its peers are gone
			starts.forEach((start) -> start.thenAccept(KafkaServer::close));
			cluster.close();
			Throwable cause = (ex instanceof CompletionException && ex.getCause() != null) ? ex.getCause() : ex;
			throw new EmbeddedServerException("The Kafka cluster did not start in " + root, cause);
		}
		log.info("Kafka cluster of {} nodes started on {} in {} ms", SIZE, cluster.bootstrapServers(),
				TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
		return cluster;
	}

	/** Every node's client listener, running or not: clients find the running ones. */
	public String bootstrapServers() {
		return this.quorum.nodes()
			.stream()
			.map((node) -> "127.0.0.1:" + node.advertisedPort())
			.collect(Collectors.joining(","));
	}

	/** For an admin client of a test: the bootstrap servers and, on a secured cluster, the broker's own super-user login. */
	public Map<String, Object> adminProperties() {
		Map<String, Object> properties = new HashMap<>();
		properties.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
		if (this.users != null) {
			properties.putAll(this.users.broker().clientProperties());
		}
		return properties;
	}

	/** The bootstrap servers and {@code user}'s login, for a client of a secured cluster. */
	public Map<String, Object> clientProperties(KafkaUser user) {
		Map<String, Object> properties = new HashMap<>(user.clientProperties());
		properties.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
		return properties;
	}

	public synchronized boolean isRunning(int nodeId) {
		return this.running.containsKey(nodeId);
	}

	/**
	 * Stops node {@code nodeId} as a crash would look to the other nodes: it does not ask the
	 * controller to move its leaderships first (controlled shutdown is off in a cluster), so they
	 * move only once the controller misses its heartbeats ({@code broker.session.timeout.ms}, 9 s).
	 * Its log directory stays for {@link #restart(int)}. Unlike {@code kill -9}, its logs are
	 * flushed and closed, which only a power loss, not a process crash, would undo.
	 */
	public void kill(int nodeId) {
		KafkaServer node;
		synchronized (this) {
			node = this.running.remove(nodeId);
		}
		if (node == null) {
			throw new IllegalStateException("Kafka node " + nodeId + " is not running");
		}
		node.close();
		log.info("Kafka node {} killed", nodeId);
	}

	/** Starts a killed node again on its ports and data; returns once it serves clients. */
	public void restart(int nodeId) {
		KafkaServer.Node node = this.quorum.nodes()
			.stream()
			.filter((candidate) -> candidate.id() == nodeId)
			.findFirst()
			.orElseThrow(() -> new IllegalArgumentException("No Kafka node " + nodeId));
		synchronized (this) {
			if (this.running.containsKey(nodeId)) {
				throw new IllegalStateException("Kafka node " + nodeId + " is running");
			}
		}
		KafkaServer restarted = startNode(node);
		synchronized (this) {
			this.running.put(nodeId, restarted);
		}
		log.info("Kafka node {} restarted", nodeId);
	}

	/** Stops every running node at once (one by one, the last ones would wait for a lost quorum), then deletes the logs. */
	@Override
	public void close() {
		if (!this.closeOnce.first()) {
			return;
		}
		Map<Integer, KafkaServer> nodes;
		synchronized (this) {
			nodes = new HashMap<>(this.running);
			this.running.clear();
		}
		try {
			List<KafkaServer.Node> running = this.quorum.nodes().stream().filter((node) -> nodes.containsKey(node.id())).toList();
			CompletableFuture.allOf(onEach(running, (node) -> {
				nodes.get(node.id()).close();
				return node;
			}).toArray(CompletableFuture[]::new)).join();
		}
		finally {
			Directories.deleteRecursively(this.directory);
		}
	}

	@Override
	public String toString() {
		return "KafkaCluster[" + bootstrapServers() + "]";
	}

	private KafkaServer startNode(KafkaServer.Node node) {
		Path logs = this.directory.resolve("node-" + node.id());
		// kept: a killed node restarts on its own data, and the cluster deletes everything at close
		return KafkaServer.start(logs, this.quorum, node, true, this.users);
	}

	/** Waits until the controller has {@code brokers} brokers registered and unfenced. */
	private void awaitBrokers(int brokers) {
		long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
		try (Admin admin = Admin.create(adminProperties())) {
			int seen = 0;
			while (seen < brokers) {
				try {
					seen = admin.describeCluster(new DescribeClusterOptions().timeoutMs(5_000))
						.nodes()
						.get(10, TimeUnit.SECONDS)
						.size();
				}
				catch (ExecutionException | TimeoutException ex) {
					log.debug("Kafka cluster not ready yet", ex);
				}
				if (seen < brokers) {
					if (System.nanoTime() > deadline) {
						throw new EmbeddedServerException(
								"The Kafka cluster has " + seen + " of " + brokers + " brokers after " + READY_TIMEOUT);
					}
					LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
				}
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new EmbeddedServerException("Interrupted while waiting for the Kafka cluster", ex);
		}
	}

	/**
	 * Runs {@code task} on each node at once, on threads of its own: the common pool may have a
	 * single thread on a small machine, and a node's start blocks until its peers are up.
	 */
	private static <T> List<CompletableFuture<T>> onEach(List<KafkaServer.Node> nodes,
			java.util.function.Function<KafkaServer.Node, T> task) {
		ExecutorService threads = Executors.newFixedThreadPool(nodes.size(), (runnable) -> {
			Thread thread = new Thread(runnable, "kafka-cluster-node");
			thread.setDaemon(true);
			return thread;
		});
		try {
			return nodes.stream().map((node) -> CompletableFuture.supplyAsync(() -> task.apply(node), threads)).toList();
		}
		finally {
			// no new tasks; the ones given run to their end
			threads.shutdown();
		}
	}
}
