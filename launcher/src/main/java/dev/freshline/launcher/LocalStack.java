package dev.freshline.launcher;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;

import org.apache.kafka.common.Uuid;
import org.jspecify.annotations.Nullable;

import dev.freshline.cache.acl.RedisUsers;
import dev.freshline.embedded.DatabaseRole;
import dev.freshline.embedded.Directories;
import dev.freshline.embedded.FreePorts;
import dev.freshline.embedded.KafkaCluster;
import dev.freshline.embedded.KafkaServer;
import dev.freshline.embedded.KafkaUser;
import dev.freshline.embedded.PostgresServer;
import dev.freshline.embedded.RedisCluster;
import dev.freshline.embedded.RedisServer;
import dev.freshline.embedded.ServiceEnvironment;
import dev.freshline.embedded.ShutdownHooks;

/**
 * Runs all of Freshline on this machine: Postgres, a KRaft Kafka broker and Redis on free ports,
 * each a process of its own, then the cdc-connector, the invalidator and two API instances. Prints
 * the endpoints, writes them to {@code .freshline/local-stack.json}, restarts a service, the
 * broker or Redis when it dies (see {@link Supervisor}), and on Ctrl-C or SIGTERM stops everything it started.
 */
public final class LocalStack {

	private static final String DATABASE = "freshline";

	private static final Duration SERVICE_START_TIMEOUT = Duration.ofMinutes(3);

	private static final String REDIS_HOST = "127.0.0.1";

	/** The port Redis listens on (a free one unless set): a harness that proxies Redis sets it. */
	static final String REDIS_PORT = "FRESHLINE_REDIS_PORT";

	/** The Redis port the services connect to, when it is not Redis' own (a fault proxy's). */
	static final String SERVICES_REDIS_PORT = "FRESHLINE_SERVICES_REDIS_PORT";

	/** The port the Kafka broker listens on (a free one unless set): a harness that proxies Kafka sets it. */
	static final String KAFKA_PORT = "FRESHLINE_KAFKA_PORT";

	/**
	 * The port the broker advertises, when it is not its own (a fault proxy's): every Kafka client,
	 * the services' and a harness', then goes through it, since clients connect where the broker
	 * says it is.
	 */
	static final String KAFKA_ADVERTISED_PORT = "FRESHLINE_KAFKA_ADVERTISED_PORT";

	/**
	 * {@code true}: what a deployment beyond one machine runs, on loopback: three Kafka brokers
	 * (change topics with three replicas, {@code min.insync.replicas} 2) and a Redis Cluster of three
	 * primaries, each with a replica, instead of one broker and one Redis. The fault-proxy ports
	 * above apply to a single broker and Redis only.
	 */
	static final String LOCAL_CLUSTER = "FRESHLINE_LOCAL_CLUSTER";

	private final Path home;

	private final Path state;

	private final Path run;

	private final StaleProcesses stale;

	private final List<AutoCloseable> servers = new ArrayList<>();

	private final Supervisor supervisor;

	private final LocalRedisUsers redisUsers = LocalRedisUsers.random(System.getenv());

	/** The servers' processes that no supervisor knows: a Redis Cluster's nodes. */
	private final Map<String, Long> serverPids = Collections.synchronizedMap(new LinkedHashMap<>());

	private volatile @Nullable StackInfo info;

	// held for the life of the JVM; never read
	@SuppressWarnings("unused")
	private @Nullable FileLock lock;

	private LocalStack(Path home, Path state) {
		this.home = home;
		this.state = state;
		this.run = this.state.resolve("run");
		this.stale = new StaleProcesses(this.state.resolve("pids"));
		this.supervisor = new Supervisor(Supervisor.Backoff.Policy.DEFAULT,
				(service) -> service.awaitHealthy(SERVICE_START_TIMEOUT), this::restarted, System.out::println);
	}

	public static void main(String[] args) throws Exception {
		// before any logger exists: the broker's and servers' logs go to a file, the console is ours
		System.setProperty("logback.configurationFile", "freshline-launcher-logback.xml");
		// initialise logging now, on one thread, rather than racing from the servers' start threads
		org.slf4j.LoggerFactory.getLogger(LocalStack.class).info("Freshline launcher starting");
		// our hook stops the services before the servers they use; the servers' own hooks would
		// run at the same time and pull Kafka from under a connector that is still flushing
		System.setProperty(ShutdownHooks.PROPERTY, "false");
		Path home = Path.of(System.getProperty("freshline.home", ".")).toAbsolutePath().normalize();
		// freshline.state moves the run's data, logs and endpoints file (tests use it)
		Path state = Path.of(System.getProperty("freshline.state", home.resolve(".freshline").toString()));
		LocalStack stack = new LocalStack(home, state.toAbsolutePath().normalize());
		CountDownLatch stopped = new CountDownLatch(1);
		Runtime.getRuntime().addShutdownHook(new Thread(() -> {
			stack.stop();
			stopped.countDown();
		}, "freshline-shutdown"));
		if (sigintIgnored()) {
			System.out.printf("SIGINT is ignored in this process (started with nohup, or as a background job of a"
					+ " script), so Ctrl-C cannot stop it: stop it with kill %d (SIGTERM), or start it through"
					+ " scripts/run-local, which restores SIGINT%n", ProcessHandle.current().pid());
		}
		try {
			stack.start();
		}
		catch (Exception ex) {
			System.err.println("Local stack failed to start: " + ex);
			System.exit(1);
		}
		stopped.await();
	}

	private void start() throws Exception {
		long started = System.nanoTime();
		Files.createDirectories(this.state);
		lockStateDirectory();
		this.stale.sweep();
		Directories.deleteRecursively(this.run);
		Path logs = Files.createDirectories(this.state.resolve("logs"));
		Files.createDirectories(this.run);

		// the services' class data archives, meanwhile: on a first start each jar is extracted
		Map<String, CompletableFuture<ClassDataArchive>> archives = new LinkedHashMap<>();
		List<String> said = Collections.synchronizedList(new ArrayList<>());
		for (String module : List.of("api-service", "invalidator-service", "cdc-connector")) {
			archives.put(module, CompletableFuture.supplyAsync(() -> ClassDataArchive.of(jar(module), ServiceProcess.java(),
					said::add)));
		}

		boolean cluster = Boolean.parseBoolean(System.getenv().getOrDefault(LOCAL_CLUSTER, "false").trim());
		step(cluster ? "Starting Postgres, three Kafka brokers and a Redis Cluster of six nodes"
				: "Starting Postgres, Kafka and Redis");
		CompletableFuture<PostgresServer> postgresStart = CompletableFuture
			.supplyAsync(() -> unchecked(() -> PostgresServer.start(this.run.resolve("postgres"))));
		LocalKafkaUsers kafkaUsers = LocalKafkaUsers.random();
		Redis redis;
		List<ServiceProcess> kafka;
		if (cluster) {
			CompletableFuture<Redis> redisStart = CompletableFuture.supplyAsync(() -> unchecked(this::startRedisCluster));
			kafka = startKafkaCluster(logs, kafkaUsers);
			redis = redisStart.join();
		}
		else {
			ServiceProcess single = startRedis(logs);
			kafka = List.of(startKafka(logs, kafkaUsers));
			single.awaitHealthy(SERVICE_START_TIMEOUT);
			redis = new Redis(single.port(), servicesRedisPort(single), List.of());
		}
		PostgresServer postgres = postgresStart.join();
		this.servers.add(postgres);
		this.stale.record(postgres.pid(), postgres.dataDirectory().toString());
		done(started);

		step("Creating database '" + DATABASE + "' and its roles");
		Map<DatabaseRole, String> passwords = new LinkedHashMap<>();
		for (DatabaseRole role : DatabaseRole.ALL) {
			passwords.put(role, Passwords.random());
			postgres.ensureRole(role.name(), passwords.get(role), role.replication());
		}
		postgres.createDatabase(DATABASE, DatabaseRole.OWNER.name());
		done(started);

		// the API instances get the public key only; the tokens go to the user (printed, and in local-stack.json)
		LocalTokens tokens = LocalTokens.issue(this.run);
		ServiceEnvironment services = new ServiceEnvironment()
			.database(postgres.host(), postgres.port(), DATABASE, passwords::get)
			.publicKey(tokens.publicKey())
			// a throwaway database for trying things out: the walkthrough reads the demo patients
			.demoData()
			.put(ServiceEnvironment.CDC_OFFSET_FILE, this.run.resolve("cdc-offsets.dat").toString())
			.kafka(bootstrapServers(kafka))
			// one consumer for every partition: it applies a whole poll in one pipelined round trip,
			// so more consumers on one machine only add fetches, commits and the broker's work for
			// them (docs/benchmarks.md, where the invalidator's CPU goes)
			.put(ServiceEnvironment.INVALIDATOR_CONCURRENCY,
					System.getenv().getOrDefault(ServiceEnvironment.INVALIDATOR_CONCURRENCY, "1"))
			// a static member of its group: restarted after a crash, it takes its partitions back at
			// once rather than after the group expired the dead process's consumers (45 s)
			.put(ServiceEnvironment.INVALIDATOR_INSTANCE_ID, "invalidator-1");
		if (redis.clusterNodes().isEmpty()) {
			services.redis(REDIS_HOST, redis.servicesPort());
		}
		else {
			services.put(ServiceEnvironment.REDIS_CLUSTER_NODES, String.join(",", redis.clusterNodes()));
		}
		if (kafka.size() > 1) {
			// what a replicated cluster is for: a change survives a lost broker, and a write that
			// only one replica took fails rather than being acknowledged (the connector retries it)
			services.put(ServiceEnvironment.TOPIC_REPLICATION_FACTOR,
					System.getenv().getOrDefault(ServiceEnvironment.TOPIC_REPLICATION_FACTOR, "3"));
			services.put(ServiceEnvironment.TOPIC_MIN_INSYNC_REPLICAS,
					System.getenv().getOrDefault(ServiceEnvironment.TOPIC_MIN_INSYNC_REPLICAS, "2"));
		}
		Map<String, String> environment = services.toStrings();

		// Startup is CPU-bound on small machines, so everything that can start at once does. Only
		// the connector waits: it needs the publication and grants that api-1's migrations create
		// (api-2 runs the same migrations; Flyway's lock makes one of them wait for the other).
		archives.values().forEach(CompletableFuture::join);
		said.forEach((line) -> System.out.println("  " + line));
		step("Starting api-1, api-2 and the invalidator");
		Map<String, String> api = ServiceEnvironment.withPasswordsOf(this.redisUsers.environmentOf(RedisUsers.API, environment),
				DatabaseRole.OWNER, DatabaseRole.API);
		ServiceProcess api1 = startService("api-1", archives.get("api-service").join(), api, logs);
		ServiceProcess api2 = startService("api-2", archives.get("api-service").join(), api, logs);
		ServiceProcess invalidator = startService("invalidator", archives.get("invalidator-service").join(),
				withKafkaUser(ServiceEnvironment.withPasswordsOf(this.redisUsers.environmentOf(RedisUsers.INVALIDATOR,
						environment), DatabaseRole.INVALIDATOR), kafka, kafkaUsers.get(LocalKafkaUsers.INVALIDATOR)),
				logs);
		api1.awaitHealthy(SERVICE_START_TIMEOUT);
		done(started);

		step("Starting the cdc-connector (schema is in place)");
		ServiceProcess connector = startService("cdc-connector", archives.get("cdc-connector").join(),
				withKafkaUser(ServiceEnvironment.withPasswordsOf(environment, DatabaseRole.CDC), kafka,
						kafkaUsers.get(LocalKafkaUsers.CONNECTOR)), logs);
		for (ServiceProcess service : List.of(api2, invalidator, connector)) {
			service.awaitHealthy(SERVICE_START_TIMEOUT);
		}
		done(started);

		StackInfo info = new StackInfo(
				new StackInfo.Postgres(postgres.jdbcUrl(DATABASE), postgres.host(), postgres.port(), DATABASE,
						DatabaseRole.OWNER.name(), passwords.get(DatabaseRole.OWNER), DatabaseRole.SIGNAL.name(),
						passwords.get(DatabaseRole.SIGNAL), DatabaseRole.INSPECT.name(), passwords.get(DatabaseRole.INSPECT)),
				kafkaInfo(kafka, kafkaUsers),
				new StackInfo.Redis(REDIS_HOST, redis.port(), redis.clusterNodes(), this.redisUsers.stackInfo()),
				List.of(api1.baseUrl(), api2.baseUrl()), management(api1, api2, invalidator, connector), tokens.info(),
				processes(postgres.pid()));
		Path infoFile = publish(info);
		printReady(info, infoFile, logs, Duration.ofNanos(System.nanoTime() - started));
	}

	/**
	 * One launcher per directory: a second one would sweep the first one's processes and wipe its
	 * data directory. The lock is released by the operating system when this JVM exits, however.
	 */
	private void lockStateDirectory() throws IOException {
		FileChannel channel = FileChannel.open(this.state.resolve("launcher.lock"), StandardOpenOption.CREATE,
				StandardOpenOption.WRITE);
		FileLock lock = channel.tryLock();
		if (lock == null) {
			channel.close();
			throw new IllegalStateException("another local stack runs from " + this.home
					+ " (see .freshline/local-stack.json); stop it with Ctrl-C first");
		}
		this.lock = lock;
	}

	private Path jar(String module) {
		return this.home.resolve(module).resolve("target").resolve(module + "-exec.jar");
	}

	private ServiceProcess startService(String name, ClassDataArchive app, Map<String, String> environment, Path logs)
			throws IOException {
		String health = name.startsWith("api-") ? ServiceProcess.READINESS : ServiceProcess.HEALTH;
		ServiceProcess service = ServiceProcess.start(name, app, health, FreePorts.find(), FreePorts.find(), environment,
				logs);
		this.stale.record(service.pid(), marker(service));
		this.supervisor.supervise(service);
		return service;
	}

	/**
	 * redis-server as a supervised process like the broker, so that a Redis that dies comes back on
	 * the same port instead of leaving the API to bypass forever. Nothing is persisted: a restarted
	 * Redis is empty (the invalidator sees its new run id and flushes, which finds nothing), and the
	 * applied watermarks are gone with it until the next markers, so the fence bypasses meanwhile.
	 */
	private ServiceProcess startRedis(Path logs) throws IOException {
		int port = portFromEnvironment(REDIS_PORT).orElseGet(FreePorts::find);
		Path log = logs.resolve("redis.log");
		ServiceProcess redis = ServiceProcess.start("redis", port, log, this.redisUsers.redisCommand(this.run.resolve("redis"), port),
				Map.of(), RedisServer.READY, ProcessBuilder.Redirect.to(log.toFile()));
		this.stale.record(redis.pid(), marker(redis));
		this.supervisor.supervise(redis);
		return redis;
	}

	/**
	 * Six redis-server processes formed into one cluster (three primaries, each with a replica),
	 * every node with the run's users. Not supervised: a dead primary is what the cluster itself
	 * repairs, by promoting its replica, and a restarted empty node would only rejoin as one.
	 */
	private Redis startRedisCluster() throws IOException {
		RedisCluster cluster = RedisCluster.startWithUsers(this.redisUsers.aclFile());
		this.servers.add(cluster);
		List<String> nodes = new ArrayList<>();
		for (RedisServer node : cluster.nodes()) {
			this.stale.record(node.pid(), "redis-server");
			this.serverPids.put("redis-" + (nodes.size() + 1), node.pid());
			nodes.add(node.host() + ":" + node.port());
		}
		RedisServer first = cluster.nodes().get(0);
		return new Redis(first.port(), first.port(), nodes);
	}

	/**
	 * Where the services find Redis: one server ({@code clusterNodes} empty), or the nodes of a
	 * cluster. {@code port} is Redis' own, {@code servicesPort} the one the services are given.
	 */
	private record Redis(int port, int servicesPort, List<String> clusterNodes) {
	}

	/**
	 * The Redis port the services are given: Redis' own, unless {@value #SERVICES_REDIS_PORT} names
	 * another, where a harness runs a fault proxy to Redis (scripts/chaos: Redis unreachable or slow
	 * for the services, while it still answers the harness' own audit).
	 */
	private static int servicesRedisPort(ServiceProcess redis) {
		return portFromEnvironment(SERVICES_REDIS_PORT).orElse(redis.port());
	}

	private static Optional<Integer> portFromEnvironment(String variable) {
		String value = System.getenv(variable);
		if (value == null || value.isBlank()) {
			return Optional.empty();
		}
		try {
			return Optional.of(Integer.parseInt(value.trim()));
		}
		catch (NumberFormatException ex) {
			throw new IllegalArgumentException(variable + " must be a port number, not '" + value + "'");
		}
	}

	/** Kafka and Redis, which the services flush to while they stop. */
	private static boolean isServer(ServiceProcess service) {
		return service.name().equals("redis") || service.name().startsWith("kafka");
	}

	/** What the command line of a process of ours contains, for {@link StaleProcesses}. */
	private static String marker(ServiceProcess service) {
		// redis-server rewrites its process title to "redis-server 127.0.0.1:<port>"
		return service.name().equals("redis") ? "redis-server" : "-Dfreshline.instance=" + service.name();
	}

	/**
	 * The broker runs in a JVM of its own (see {@link KafkaBroker}), supervised like the services:
	 * a harness can kill or pause it, and it comes back on the same ports with its data.
	 */
	private ServiceProcess startKafka(Path logs, LocalKafkaUsers users) throws IOException, InterruptedException {
		int brokerPort = portFromEnvironment(KAFKA_PORT).orElseGet(FreePorts::find);
		int controllerPort = FreePorts.find();
		int advertisedPort = portFromEnvironment(KAFKA_ADVERTISED_PORT).orElse(brokerPort);
		ServiceProcess kafka = ServiceProcess.startMain("kafka", KafkaBroker.class,
				List.of("-Xms64m", "-Xmx512m", "-XX:+UseSerialGC"), List.of(this.run.resolve("kafka").toString(),
						Integer.toString(brokerPort), Integer.toString(controllerPort), Integer.toString(advertisedPort)),
				users.brokerEnvironment(), advertisedPort, logs, KafkaBroker.READY);
		this.stale.record(kafka.pid(), marker(kafka));
		this.supervisor.supervise(kafka);
		kafka.awaitHealthy(SERVICE_START_TIMEOUT);
		return kafka;
	}

	/**
	 * Three brokers, each a KRaft node of one quorum in a JVM of its own, supervised like the single
	 * broker: killed, one comes back on its ports and data and catches up. They start side by side,
	 * since a node's start waits for a majority of the quorum.
	 */
	private List<ServiceProcess> startKafkaCluster(Path logs, LocalKafkaUsers users)
			throws IOException, InterruptedException {
		List<KafkaServer.Node> nodes = new ArrayList<>();
		for (int id = 1; id <= KafkaCluster.SIZE; id++) {
			int port = FreePorts.find();
			nodes.add(new KafkaServer.Node(id, port, FreePorts.find(), port));
		}
		String specs = String.join(",", nodes.stream().map(KafkaServer.Node::spec).toList());
		String clusterId = Uuid.randomUuid().toString();
		List<ServiceProcess> brokers = new ArrayList<>();
		for (KafkaServer.Node node : nodes) {
			ServiceProcess broker = ServiceProcess.startMain("kafka-" + node.id(), KafkaBroker.class,
					List.of("-Xms64m", "-Xmx512m", "-XX:+UseSerialGC"),
					List.of(this.run.resolve("kafka-" + node.id()).toString(), "--node", Integer.toString(node.id()),
							clusterId, specs),
					users.brokerEnvironment(), node.advertisedPort(), logs, KafkaBroker.READY);
			this.stale.record(broker.pid(), marker(broker));
			this.supervisor.supervise(broker);
			brokers.add(broker);
		}
		for (ServiceProcess broker : brokers) {
			broker.awaitHealthy(SERVICE_START_TIMEOUT);
		}
		return brokers;
	}

	private static String bootstrapServers(List<ServiceProcess> brokers) {
		return String.join(",", brokers.stream().map((broker) -> "127.0.0.1:" + broker.port()).toList());
	}

	/** Each service logs in to Kafka as itself; the API has no Kafka client and gets no user. */
	private static Map<String, String> withKafkaUser(Map<String, String> environment, List<ServiceProcess> kafka,
			KafkaUser user) {
		Map<String, String> own = new LinkedHashMap<>(environment);
		own.putAll(new ServiceEnvironment().kafka(bootstrapServers(kafka), user).toStrings());
		return own;
	}

	private static Map<String, String> management(ServiceProcess... services) {
		Map<String, String> urls = new LinkedHashMap<>();
		for (ServiceProcess service : services) {
			urls.put(service.name(), service.managementUrl());
		}
		return urls;
	}

	private static StackInfo.Kafka kafkaInfo(List<ServiceProcess> kafka, LocalKafkaUsers users) {
		Map<String, StackInfo.Login> clients = new LinkedHashMap<>();
		users.clients().forEach((name, user) -> clients.put(name, new StackInfo.Login(user.user(), user.password())));
		return new StackInfo.Kafka(bootstrapServers(kafka), KafkaUser.MECHANISM, clients);
	}

	/** A restarted service has a new pid: the next launch must be able to sweep it, and scripts must see it. */
	private synchronized void restarted(ServiceProcess service) throws IOException {
		this.stale.record(service.pid(), marker(service));
		StackInfo published = this.info;
		if (published != null) {
			Map<String, Long> pids = new LinkedHashMap<>(published.processes());
			pids.put(service.name(), service.pid());
			publish(published.withProcesses(pids));
		}
	}

	private synchronized Path publish(StackInfo next) throws IOException {
		this.info = next;
		return next.writeTo(this.state.resolve("local-stack.json"));
	}

	private Map<String, Long> processes(long postgres) {
		Map<String, Long> pids = new LinkedHashMap<>();
		pids.put("launcher", ProcessHandle.current().pid());
		pids.put("postgres", postgres);
		pids.putAll(this.serverPids);
		this.supervisor.services().forEach((service) -> pids.put(service.name(), service.pid()));
		return pids;
	}

	private void printReady(StackInfo info, Path infoFile, Path logs, Duration took) {
		System.out.printf("%nFreshline is up in %.1f s%n", took.toMillis() / 1000.0);
		System.out.printf("  api instances  %s%n", String.join("  ", info.api()));
		List<String> actuators = new ArrayList<>();
		info.management().forEach((service, url) -> actuators.add(service + " " + url));
		System.out.printf("  actuators      %s  (health details, metrics; on this machine only)%n",
				String.join("  ", actuators));
		System.out.printf("  status page    %s/status  (staleness, lag, hit rate, consistency; each api instance has one)%n",
				info.management().get("api-1"));
		System.out.printf("  postgres       %s  (user %s)%n", info.postgres().jdbcUrl(), info.postgres().user());
		System.out.printf("  kafka          %s%n", info.kafka().bootstrapServers());
		System.out.printf("  redis          %s  (users %s; passwords in the endpoints file)%n",
				info.redis().clusterNodes().isEmpty() ? info.redis().host() + ":" + info.redis().port()
						: "cluster " + String.join(",", info.redis().clusterNodes()),
				String.join(", ", info.redis().users().keySet()));
		System.out.printf("  endpoints file %s%n", relative(infoFile));
		System.out.printf("  service logs   %s%n", relative(logs));
		// a newcomer copies them from here; they expire a day after the start
		System.out.printf("  reader token   %s%n", info.auth().readerToken());
		System.out.printf("  admin token    %s%n", info.auth().adminToken());
		System.out.printf("  tokens expire  %s (patients.read formulary.read; the admin token also admin)%n",
				info.auth().expiresAt());
		System.out.printf("Try: TOKEN=$(jq -r .auth.readerToken %s)%n", relative(infoFile));
		System.out.printf("     curl -H \"Authorization: Bearer $TOKEN\" %s/patients/42    (Ctrl-C stops everything)%n",
				info.api().get(0));
	}

	private Path relative(Path path) {
		return path.startsWith(this.home) ? this.home.relativize(path) : path;
	}

	private void stop() {
		// first, so that the services' exits below (and a Ctrl-C that the terminal sent them too)
		// are not taken for crashes
		List<ServiceProcess> services = this.supervisor.stop();
		if (services.isEmpty() && this.servers.isEmpty()) {
			return;
		}
		System.out.println("Stopping Freshline...");
		// services first (each flushes its own state: the connector its offsets), then the servers
		services.stream().filter((service) -> !isServer(service)).parallel().forEach(ServiceProcess::stop);
		// the brokers of a cluster at once: one by one, the last would wait for a lost quorum
		services.stream().filter(LocalStack::isServer).parallel().forEach(ServiceProcess::stop);
		for (int i = this.servers.size() - 1; i >= 0; i--) {
			try {
				this.servers.get(i).close();
			}
			catch (Exception ex) {
				System.err.println("Stopping " + this.servers.get(i) + " failed: " + ex.getMessage());
			}
		}
		try {
			synchronized (this) {
				this.info = null;
				Files.deleteIfExists(this.state.resolve("local-stack.json"));
			}
			this.stale.clear();
			Directories.deleteRecursively(this.run);
		}
		catch (IOException ex) {
			System.err.println("Cleaning " + this.run + " failed: " + ex.getMessage());
		}
		System.out.println("Stopped.");
	}

	/**
	 * A JVM that starts with SIGINT ignored inherits the ignore and installs no handler for it
	 * (HotSpot leaves ignored signals alone), so Ctrl-C would do nothing; the kernel's SigIgn mask
	 * in /proc tells. Elsewhere than on Linux we cannot tell and say nothing.
	 */
	private static boolean sigintIgnored() {
		try {
			for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
				if (line.startsWith("SigIgn:")) {
					return (Long.parseUnsignedLong(line.substring("SigIgn:".length()).trim(), 16) & (1L << (2 - 1))) != 0;
				}
			}
		}
		catch (IOException | RuntimeException ex) {
			// no /proc: not Linux
		}
		return false;
	}

	private static void step(String what) {
		System.out.print(what + "... ");
		System.out.flush();
	}

	private static void done(long started) {
		System.out.printf("ok (%.1f s)%n", (System.nanoTime() - started) / 1e9);
	}

	private static <T> T unchecked(ThrowingSupplier<T> supplier) {
		try {
			return supplier.get();
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex.getMessage(), ex);
		}
	}

	private interface ThrowingSupplier<T> {

		T get() throws Exception;
	}
}
