package dev.freshline.pipeline;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import io.lettuce.core.RedisClient;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.listener.ConcurrentMessageListenerContainer;
import org.springframework.kafka.listener.MessageListenerContainer;

import dev.freshline.api.ApiApplication;
import dev.freshline.api.freshness.PipelineFence;
import dev.freshline.cdc.ConnectorApplication;
import dev.freshline.cdc.capture.CaptureProgress;
import dev.freshline.embedded.GroupCatchUp;
import dev.freshline.embedded.RedisCluster;
import dev.freshline.embedded.ServiceEnvironment;
import dev.freshline.embedded.SharedServers;
import dev.freshline.embedded.TestDatabase;
import dev.freshline.invalidator.InvalidatorApplication;
import dev.freshline.model.CacheKeys;
import dev.freshline.model.Topics;

import static dev.freshline.pipeline.Waits.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The whole pipeline in one test JVM, on the servers {@link SharedServers} started once: a fresh
 * database, slot, topic prefix, key prefix and consumer group per stack, so stacks never see each
 * other's data. Services are configured through the same environment variable names that the
 * launcher and docker-compose use.
 */
public final class PipelineStack implements AutoCloseable {

	/**
	 * Spring Security is on this JVM's class path for the API; the connector's and the
	 * invalidator's jars have none, so their contexts here must not secure themselves either.
	 */
	private static final String SECURITY = String.join(",",
			"org.springframework.boot.security.autoconfigure.SecurityAutoConfiguration",
			"org.springframework.boot.security.autoconfigure.UserDetailsServiceAutoConfiguration",
			"org.springframework.boot.security.autoconfigure.actuate.web.servlet.ManagementWebSecurityAutoConfiguration",
			"org.springframework.boot.security.autoconfigure.web.servlet.SecurityFilterAutoConfiguration",
			"org.springframework.boot.security.autoconfigure.web.servlet.ServletWebSecurityAutoConfiguration",
			"org.springframework.boot.security.oauth2.server.resource.autoconfigure.servlet.OAuth2ResourceServerAutoConfiguration");

	private static final String NOT_FOR_CONNECTOR = String.join(",", SECURITY,
			"org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
			"org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration",
			"org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration",
			"org.springframework.boot.data.redis.autoconfigure.health.DataRedisHealthContributorAutoConfiguration");

	private static final String NOT_FOR_INVALIDATOR = String.join(",", SECURITY,
			"org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
			"org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration");

	private static final String NOT_FOR_API = "org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration";

	private final SharedServers servers = SharedServers.get();

	private final TestDatabase database;

	private final String name;

	private final Path offsetFile;

	/** The shared Redis' client and connection; null on a cluster of the stack's own. */
	private final @Nullable RedisClient redisClient;

	private final @Nullable StatefulRedisConnection<String, String> redisConnection;

	/** The stack's own Redis Cluster, or null on the shared Redis. */
	private final @Nullable StackRedisCluster redisCluster;

	private @Nullable ConfigurableApplicationContext api1;

	private @Nullable ConfigurableApplicationContext api2;

	private @Nullable ConfigurableApplicationContext connector;

	private @Nullable ConfigurableApplicationContext invalidator;

	private @Nullable ConfigurableApplicationContext invalidator2;

	private final Map<String, Object> overrides;

	private final @Nullable Object hooks;

	/** The shared broker, or the private one (or cluster) a test named in KAFKA_BOOTSTRAP_SERVERS so it can stop it. */
	private final String kafka;

	/** Listener containers: one per invalidator, or INVALIDATOR_CONCURRENCY consumers each. */
	private final int invalidatorConsumers;

	private PipelineStack(Map<String, Object> overrides, @Nullable Object hooks, boolean ownRedisCluster)
			throws Exception {
		this.overrides = overrides;
		this.hooks = hooks;
		// the shared broker only when no other is named: a test on a cluster of its own does not start it
		Object kafka = overrides.get(ServiceEnvironment.KAFKA_BOOTSTRAP_SERVERS);
		this.kafka = (kafka != null) ? String.valueOf(kafka) : this.servers.kafka().bootstrapServers();
		this.invalidatorConsumers = 2
				* Integer.parseInt(String.valueOf(overrides.getOrDefault(ServiceEnvironment.INVALIDATOR_CONCURRENCY, 1)));
		this.database = this.servers.newDatabase();
		this.name = SharedServers.uniqueName("fl");
		this.offsetFile = Files.createTempDirectory(this.name).resolve("offsets.dat");
		if (ownRedisCluster) {
			// its users' rules name the key prefix, so it starts with the stack, not shared between stacks
			this.redisCluster = StackRedisCluster.start(keys());
			this.redisClient = null;
			this.redisConnection = null;
		}
		else {
			this.redisCluster = null;
			this.redisClient = RedisClient.create(this.servers.redis().uri());
			this.redisConnection = this.redisClient.connect();
		}
	}

	/** A database, two API instances, two invalidators in one group and a running connector. */
	public static PipelineStack start() throws Exception {
		return start(Map.of(), null);
	}

	/**
	 * As {@link #start()}, with extra properties for every service and a hooks object (FillHooks,
	 * InvalidationHooks) registered as a bean in the API and invalidator contexts.
	 */
	public static PipelineStack start(Map<String, Object> overrides, @Nullable Object hooks) throws Exception {
		return start(new PipelineStack(overrides, hooks, false));
	}

	/**
	 * As {@link #start(Map, Object)}, on a Redis Cluster of the stack's own ({@link #redisCluster()},
	 * closed with the stack) instead of the shared Redis: the API and the invalidators reach it by
	 * {@code SPRING_DATA_REDIS_CLUSTER_NODES} and log in as their own Redis users, so a test may
	 * fail a primary over. Read it through {@link #cache()}; {@link #redis()} is the single Redis'.
	 */
	public static PipelineStack startOnRedisCluster(Map<String, Object> overrides, @Nullable Object hooks)
			throws Exception {
		return start(new PipelineStack(overrides, hooks, true));
	}

	private static PipelineStack start(PipelineStack stack) throws Exception {
		try {
			return starting(stack);
		}
		catch (Exception | Error ex) {
			// the constructor started servers a failed start must not leave behind (a cluster's six)
			try {
				stack.close();
			}
			catch (Exception closing) {
				ex.addSuppressed(closing);
			}
			throw ex;
		}
	}

	private static PipelineStack starting(PipelineStack stack) throws Exception {
		stack.api1 = stack.run(ApiApplication.class, ApiApplication.CONFIG_NAME, NOT_FOR_API); // applies the migrations first
		stack.api2 = stack.run(ApiApplication.class, ApiApplication.CONFIG_NAME, NOT_FOR_API);
		stack.invalidator = stack.run(InvalidatorApplication.class, InvalidatorApplication.CONFIG_NAME, NOT_FOR_INVALIDATOR);
		stack.invalidator2 = stack.run(InvalidatorApplication.class, InvalidatorApplication.CONFIG_NAME, NOT_FOR_INVALIDATOR);
		// a new group's first assignment flushes (no offsets yet): let it pass before tests fill keys
		await("invalidator offsets committed on assignment").until(stack::everyAssignedPartitionHasAnOffset);
		// a start without offsets flushes every captured namespace: let it pass before tests fill keys
		String patient = stack.keys().patient(999_999);
		String formulary = stack.keys().formulary(999_999);
		stack.cache().mset(Map.of(patient, "before the first start", formulary, "before the first start"));
		stack.startConnector();
		await("the first start's flush applied").until(() -> stack.cache().exists(patient, formulary) == 0);
		// every table's flush, not only the first namespace's: a ward or a table added by YAML
		// flushed after a test filled its keys would remove them
		stack.awaitInvalidatorsCaughtUp();
		// a test that fills keys right after the start must not race the first applied watermarks:
		// until every partition feeding a namespace has one, the fence bypasses (and fills nothing)
		await("both API instances' fences admit every namespace").until(stack::fencesAdmitEveryNamespace);
		return stack;
	}

	/**
	 * Whether each API instance's fence holds a watermark younger than max-staleness for every
	 * namespace; true when the fence is off, or the connector writes no markers (then it never will).
	 */
	private boolean fencesAdmitEveryNamespace() {
		if (this.connector == null
				|| !this.connector.getEnvironment().getProperty("freshline.cdc.markers.enabled", Boolean.class, false)) {
			return true;
		}
		for (int instance = 1; instance <= 2; instance++) {
			PipelineFence fence = apiBean(instance, PipelineFence.class);
			long bound = fence.settings().maxStaleness().toMillis();
			if (fence.settings().enabled() && !fence.namespaces()
				.stream()
				.allMatch((namespace) -> fence.ageMillis(namespace).map((age) -> age <= bound).orElse(false))) {
				return false;
			}
		}
		return true;
	}

	/**
	 * Waits until the invalidators committed (so applied) every record that every partition they
	 * read held when this was called ({@link GroupCatchUp}: the ends are read once). On a timeout,
	 * it names the partitions still behind and by how much.
	 */
	public void awaitInvalidatorsCaughtUp() throws Exception {
		try (Admin admin = kafkaAdmin()) {
			GroupCatchUp catchUp = invalidatorCatchUp(admin);
			await("the invalidators caught up").untilAsserted(() -> {
				GroupCatchUp.Check check = catchUp.check();
				assertThat(check.reached())
					.as("caught up with the ends read first; records not committed yet: %s", check.behind())
					.isTrue();
			});
		}
	}

	/** A check of the invalidators' group against the ends it reads first; keep it across the polls of one wait. */
	public GroupCatchUp invalidatorCatchUp(Admin admin) {
		return new GroupCatchUp(admin, invalidatorGroup());
	}

	/** An admin client of the stack's Kafka; the caller closes it. */
	public Admin kafkaAdmin() {
		return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, this.kafka));
	}

	/**
	 * Every partition assigned to the invalidator consumer that owns {@code partition}, itself
	 * included: a consumer held at one partition's record applies none of them.
	 */
	public Set<TopicPartition> partitionsOfTheConsumerOf(TopicPartition partition) throws Exception {
		return describeInvalidatorGroup().members()
			.stream()
			.map((member) -> member.assignment().topicPartitions())
			.filter((assigned) -> assigned.contains(partition))
			.findFirst()
			.orElseThrow(() -> new IllegalStateException("no invalidator consumer owns " + partition));
	}

	/** The invalidators' consumer group as the broker describes it: its state, members and their partitions. */
	public ConsumerGroupDescription describeInvalidatorGroup() throws Exception {
		try (Admin admin = kafkaAdmin()) {
			return admin.describeConsumerGroups(List.of(invalidatorGroup()))
				.describedGroups()
				.get(invalidatorGroup())
				.get(10, TimeUnit.SECONDS);
		}
	}

	private boolean everyAssignedPartitionHasAnOffset() throws Exception {
		ConsumerGroupDescription group = describeInvalidatorGroup();
		try (Admin admin = kafkaAdmin()) {
			Set<TopicPartition> assigned = group.members()
				.stream()
				.flatMap((member) -> member.assignment().topicPartitions().stream())
				.collect(Collectors.toSet());
			Set<TopicPartition> committed = admin.listConsumerGroupOffsets(invalidatorGroup())
				.partitionsToOffsetAndMetadata()
				.get(10, TimeUnit.SECONDS)
				.keySet();
			// stable: a cooperative rebalance ends with a second one that hands over revoked partitions
			return group.groupState() == GroupState.STABLE && group.members().size() == this.invalidatorConsumers
					&& !assigned.isEmpty() && committed.containsAll(assigned);
		}
	}

	void startConnector() {
		this.connector = run(ConnectorApplication.class, ConnectorApplication.CONFIG_NAME, NOT_FOR_CONNECTOR);
		CaptureProgress progress = this.connector.getBean(CaptureProgress.class);
		// streaming has started (and the slot exists) once the first heartbeat went through Kafka
		await("connector streaming").until(() -> progress.published() > 0);
	}

	public void stopConnector() {
		if (this.connector != null) {
			this.connector.close();
			this.connector = null;
		}
	}

	/** Stops both invalidators for good: their consumers leave the group. */
	public void stopInvalidators() {
		for (ConfigurableApplicationContext context : new ConfigurableApplicationContext[] { this.invalidator,
				this.invalidator2 }) {
			if (context != null) {
				context.close();
			}
		}
		this.invalidator = null;
		this.invalidator2 = null;
	}

	/**
	 * Pauses every listener container of both invalidators and returns once each consumer has
	 * paused: the records of the poll in hand are applied first, nothing after them until
	 * {@link #resumeInvalidators()}. The consumers stay in the group.
	 */
	public void pauseInvalidators() {
		invalidatorContainers().forEach(MessageListenerContainer::pause);
		// a consumer without partitions (more consumers than a topic has partitions) never reports
		// itself paused; it has nothing to apply, and pauses on its first assignment
		await("the invalidators paused").until(() -> invalidatorContainers().stream()
			.flatMap((container) -> (container instanceof ConcurrentMessageListenerContainer<?, ?> concurrent)
					? concurrent.getContainers().stream() : java.util.stream.Stream.of(container))
			.allMatch((consumer) -> consumer.isContainerPaused() || consumer.getAssignedPartitions() == null
					|| consumer.getAssignedPartitions().isEmpty()));
	}

	public void resumeInvalidators() {
		invalidatorContainers().forEach(MessageListenerContainer::resume);
		await("the invalidators resumed")
			.until(() -> invalidatorContainers().stream().noneMatch(MessageListenerContainer::isPauseRequested));
	}

	private List<MessageListenerContainer> invalidatorContainers() {
		return java.util.stream.Stream.of(this.invalidator, this.invalidator2)
			.filter(java.util.Objects::nonNull)
			.flatMap((context) -> context.getBean(KafkaListenerEndpointRegistry.class).getListenerContainers().stream())
			.toList();
	}

	/** A counter summed over both invalidators' registries, e.g. the consistency inspector's. */
	public double invalidatorCounter(String name) {
		return java.util.stream.Stream.of(this.invalidator, this.invalidator2)
			.filter(java.util.Objects::nonNull)
			.flatMap((context) -> context.getBean(MeterRegistry.class).find(name).counters().stream())
			.mapToDouble(Counter::count)
			.sum();
	}

	/** A bean of an API instance, e.g. its freshness fence. */
	public <T> T apiBean(int instance, Class<T> type) {
		ConfigurableApplicationContext api = (instance == 1) ? this.api1 : this.api2;
		if (api == null) {
			throw new IllegalStateException("api-" + instance + " is not running");
		}
		return api.getBean(type);
	}

	private ConfigurableApplicationContext run(Class<?> application, String configName, String excludedAutoConfigurations) {
		ServiceEnvironment environment = new ServiceEnvironment().put("spring.config.name", configName)
			.database(this.database)
			// the API trusts LocalIssuer.forTests()' tokens, which Http presents
			.testPublicKey()
			// the tests read seeded patients and formularies; an override (EventKinds) may add locations
			.demoData()
			.put(ServiceEnvironment.CDC_SLOT_NAME, this.name)
			.put(ServiceEnvironment.CDC_OFFSET_FILE, this.offsetFile.toString())
			.kafka(this.kafka)
			.put(ServiceEnvironment.FRESHLINE_TOPIC_PREFIX, this.name)
			.put(ServiceEnvironment.FRESHLINE_KEY_PREFIX, this.name)
			.put(ServiceEnvironment.INVALIDATOR_GROUP_ID, invalidatorGroup())
			.freePorts()
			.put("spring.autoconfigure.exclude", excludedAutoConfigurations);
		if (this.redisCluster != null) {
			this.redisCluster.configure(environment, application);
		}
		else {
			environment.redis(this.servers.redis());
		}
		SpringApplicationBuilder builder = new SpringApplicationBuilder(application)
			.properties(environment.putAll(this.overrides).toMap());
		if (this.hooks != null && application != ConnectorApplication.class) {
			Object hooks = this.hooks;
			builder.initializers((context) -> context.getBeanFactory().registerSingleton("testHooks", hooks));
		}
		return builder.run();
	}

	public String apiUrl(int instance) {
		return "http://127.0.0.1:" + api(instance).getEnvironment().getProperty("local.server.port");
	}

	/** Where API instance {@code instance} serves its actuator: its management port, no token needed. */
	public String apiManagementUrl(int instance) {
		return "http://127.0.0.1:" + api(instance).getEnvironment().getProperty("local.management.port");
	}

	private ConfigurableApplicationContext api(int instance) {
		ConfigurableApplicationContext api = (instance == 1) ? this.api1 : this.api2;
		if (api == null) {
			throw new IllegalStateException("api-" + instance + " is not running");
		}
		return api;
	}

	/** What a service (or the ops tool) reads to reach this stack's database with its roles. */
	Map<String, Object> databaseEnvironment() {
		return this.database.serviceEnvironment();
	}

	/** The connector's offsets; its clean-stop marker lives next to it. */
	Path offsetFile() {
		return this.offsetFile;
	}

	String invalidatorGroup() {
		return this.name + "-invalidator";
	}

	/** A counter summed over both API instances. */
	public double apiCounter(String name) {
		double sum = 0;
		for (ConfigurableApplicationContext api : new ConfigurableApplicationContext[] { this.api1, this.api2 }) {
			if (api != null) {
				sum += api.getBean(io.micrometer.core.instrument.MeterRegistry.class).counter(name).count();
			}
		}
		return sum;
	}

	/** A counter of the running connector, summed over its tags. */
	double connectorCounter(String name) {
		if (this.connector == null) {
			throw new IllegalStateException("the connector is not running");
		}
		return this.connector.getBean(io.micrometer.core.instrument.MeterRegistry.class)
			.find(name)
			.counters()
			.stream()
			.mapToDouble(io.micrometer.core.instrument.Counter::count)
			.sum();
	}

	/** A gauge of the running connector, e.g. {@code freshline.slot.retained.wal}. */
	double connectorGauge(String name) {
		if (this.connector == null) {
			throw new IllegalStateException("the connector is not running");
		}
		return this.connector.getBean(io.micrometer.core.instrument.MeterRegistry.class).get(name).gauge().value();
	}

	public CacheKeys keys() {
		return new CacheKeys(this.name);
	}

	Topics topics() {
		return new Topics(this.name);
	}

	/** The shared single Redis, as a test reads it; see {@link #cache()} for code that runs on a cluster too. */
	public RedisCommands<String, String> redis() {
		if (this.redisConnection == null) {
			throw new IllegalStateException("this stack runs on a Redis Cluster of its own: use cache()");
		}
		return this.redisConnection.sync();
	}

	/**
	 * The stack's Redis, whichever it is: the single Redis, or the cluster's primaries with each
	 * command routed by its keys' slots (a multi-key command split by slot, SCAN over every primary).
	 */
	public RedisClusterCommands<String, String> cache() {
		return (this.redisCluster != null) ? this.redisCluster.commands() : redis();
	}

	/** The stack's own Redis Cluster, to fail a primary over; only for a stack started by {@link #startOnRedisCluster}. */
	public RedisCluster redisCluster() {
		if (this.redisCluster == null) {
			throw new IllegalStateException("this stack runs on the shared single Redis");
		}
		return this.redisCluster.cluster();
	}

	/** Raw SQL as the schema owner: the "someone changed it behind the API's back" writer. */
	public int sql(String statement) throws SQLException {
		try (Connection connection = this.database.connect(this.database.owner());
				Statement sql = connection.createStatement()) {
			return sql.executeUpdate(statement);
		}
	}

	public Connection connect() throws SQLException {
		return this.database.connect(this.database.owner());
	}

	/**
	 * Attempts every step, whatever failed before it: a context that fails to close must not leave
	 * the slot behind (it would pin WAL on the shared server for the rest of the run) or the
	 * database and offsets. The first failure is thrown, the others suppressed in it.
	 */
	@Override
	public void close() throws Exception {
		Closing closing = new Closing();
		for (ConfigurableApplicationContext context : new ConfigurableApplicationContext[] { this.api1, this.api2,
				this.invalidator, this.invalidator2, this.connector }) {
			if (context != null) {
				closing.attempt(context::close);
			}
		}
		if (this.redisConnection != null && this.redisClient != null) {
			closing.attempt(this.redisConnection::close);
			closing.attempt(this.redisClient::shutdown);
		}
		if (this.redisCluster != null) {
			closing.attempt(this.redisCluster::close);
		}
		// The closed connector's walsender can outlive its context for a moment on a loaded
		// machine: end it first, and retry the drop until the slot is released
		String slot = "FROM pg_replication_slots WHERE slot_name = '" + this.name + "'";
		closing.attempt(() -> await("replication slot " + this.name + " dropped").ignoreExceptions().untilAsserted(() -> {
			this.servers.postgres().execute("postgres", "SELECT pg_terminate_backend(active_pid) " + slot + " AND active");
			this.servers.postgres().execute("postgres", "SELECT pg_drop_replication_slot(slot_name) " + slot);
		}));
		closing.attempt(() -> this.servers.dropDatabase(this.database));
		// offsets and the connector's clean-stop marker
		closing.attempt(() -> dev.freshline.embedded.Directories.deleteRecursively(this.offsetFile.getParent()));
		closing.rethrow();
	}

	/** Runs each step of a teardown, keeping the first failure and suppressing the later ones in it. */
	static final class Closing {

		private @Nullable Exception first;

		interface Step {

			void run() throws Exception;

		}

		void attempt(Step step) {
			try {
				step.run();
			}
			catch (Exception ex) {
				if (this.first == null) {
					this.first = ex;
				}
				else {
					this.first.addSuppressed(ex);
				}
			}
		}

		void rethrow() throws Exception {
			if (this.first != null) {
				throw this.first;
			}
		}
	}
}
