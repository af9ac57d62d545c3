package dev.freshline.invalidator.invalidation;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.AclSetuserArgs;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.sync.RedisAdvancedClusterCommands;
import io.lettuce.core.protocol.CommandType;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import dev.freshline.embedded.RedisCluster;
import dev.freshline.embedded.RedisServer;
import dev.freshline.embedded.ServiceEnvironment;
import dev.freshline.embedded.SharedServers;
import dev.freshline.invalidator.InvalidatorApplication;
import dev.freshline.model.CacheKeys;
import dev.freshline.model.Topics;
import dev.freshline.model.Watermark;

/**
 * An invalidator on the shared Kafka broker with its own topic prefix, key prefix and group, and
 * a Redis of the caller's choice (the shared one, or a private one a test may stop, or a cluster).
 */
final class InvalidatorStack implements AutoCloseable {

	final String name;

	final Topics topics;

	final CacheKeys keys;

	private final ConfigurableApplicationContext context;

	private final Producer producer = new Producer();

	private final AbstractRedisClient redisClient;

	/** A single Redis' connection, or null on a cluster. */
	private final @Nullable StatefulRedisConnection<String, String> redisConnection;

	/** A cluster's connection, or null on a single Redis. */
	private final @Nullable StatefulRedisClusterConnection<String, String> clusterConnection;

	InvalidatorStack(RedisServer redis, Map<String, Object> overrides) {
		this(redis, overrides, SharedServers.uniqueName("inv"));
	}

	/** A stack that takes over {@code name}'s topics, keys and consumer group (a restart). */
	InvalidatorStack(RedisServer redis, Map<String, Object> overrides, String name) {
		this(redis, overrides, name, null);
	}

	/** As the others, with {@code hooks} registered as the context's {@link InvalidationHooks}. */
	InvalidatorStack(RedisServer redis, Map<String, Object> overrides, @Nullable InvalidationHooks hooks) {
		this(redis, overrides, SharedServers.uniqueName("inv"), hooks);
	}

	/** A stack that takes over {@code name}'s topics, keys and group, with {@code hooks} (a restart). */
	InvalidatorStack(RedisServer redis, Map<String, Object> overrides, String name,
			@Nullable InvalidationHooks hooks) {
		this(redis, null, overrides, name, hooks);
	}

	/**
	 * An invalidator on a Redis Cluster, configured as in production by
	 * {@code spring.data.redis.cluster.nodes}, with the client's topology refreshed every 200 ms.
	 */
	InvalidatorStack(RedisCluster cluster, Map<String, Object> overrides) {
		this(null, cluster, overrides, SharedServers.uniqueName("inv"), null);
	}

	private InvalidatorStack(@Nullable RedisServer redis, @Nullable RedisCluster cluster, Map<String, Object> overrides,
			String name, @Nullable InvalidationHooks hooks) {
		this.name = name;
		this.topics = new Topics(name);
		this.keys = new CacheKeys(name);
		ServiceEnvironment base = new ServiceEnvironment().put("spring.config.name", InvalidatorApplication.CONFIG_NAME)
			.kafka(SharedServers.get().kafka().bootstrapServers());
		if (cluster != null) {
			base.put("spring.data.redis.cluster.nodes", cluster.nodeAddresses()).put("REDIS_CLUSTER_REFRESH", "200ms");
		}
		else if (redis != null) {
			base.redis(redis);
		}
		Map<String, Object> environment = base
			.put(ServiceEnvironment.FRESHLINE_TOPIC_PREFIX, this.name)
			.put(ServiceEnvironment.FRESHLINE_KEY_PREFIX, this.name)
			.put(ServiceEnvironment.INVALIDATOR_GROUP_ID, groupId())
			.freePorts()
			// these tests need no database; SchemaCheckIntegrationTests turns the check on
			.put("INVALIDATOR_SCHEMA_CHECK", false)
			.putAll(overrides)
			.toMap();
		SpringApplicationBuilder builder = new SpringApplicationBuilder(InvalidatorApplication.class).properties(environment);
		if (hooks != null) {
			builder.initializers((context) -> context.getBeanFactory().registerSingleton("testHooks", hooks));
		}
		this.context = builder.run();
		if (cluster != null) {
			RedisClusterClient client = RedisClusterClient.create(Arrays.stream(cluster.nodeAddresses().split(","))
				.map((address) -> RedisURI.create("redis://" + address))
				.toList());
			client.setOptions(ClusterClientOptions.builder()
				.topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
					.enableAllAdaptiveRefreshTriggers()
					.enablePeriodicRefresh(Duration.ofMillis(200))
					.build())
				.build());
			// a command to a killed primary waits seconds, not Lettuce's minute
			client.setDefaultTimeout(Duration.ofSeconds(2));
			this.redisClient = client;
			this.clusterConnection = client.connect();
			this.redisConnection = null;
		}
		else {
			RedisClient client = RedisClient.create(java.util.Objects.requireNonNull(redis).uri());
			client.setOptions(io.lettuce.core.ClientOptions.builder().autoReconnect(true).build());
			this.redisClient = client;
			this.redisConnection = client.connect();
			this.clusterConnection = null;
		}
		// a new group's first assignment flushes (no offsets yet): let it pass before tests set keys
		Waits.await("offsets committed on assignment").until(this::everyPartitionHasAnOffset);
	}

	private boolean everyPartitionHasAnOffset() throws Exception {
		try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
				SharedServers.get().kafka().bootstrapServers()))) {
			// three partitions for each of the two change topics, one for the heartbeats
			return admin.listConsumerGroupOffsets(groupId()).partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS).size() == 7;
		}
	}

	<T> T bean(Class<T> type) {
		return this.context.getBean(type);
	}

	String groupId() {
		return this.name + "-invalidator";
	}

	/** Sets keys on {@code redis} before any invalidator runs. */
	static void preset(RedisServer redis, Map<String, String> values) {
		RedisClient client = RedisClient.create(redis.uri());
		try (StatefulRedisConnection<String, String> connection = client.connect()) {
			connection.sync().mset(values);
		}
		finally {
			client.shutdown();
		}
	}

	/** Writes to the shared broker while no invalidator runs, and removes records as retention would. */
	static final class Producer implements AutoCloseable {

		private final KafkaProducer<String, byte[]> producer = new KafkaProducer<>(
				Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedServers.get().kafka().bootstrapServers(),
						ProducerConfig.ACKS_CONFIG, "all"),
				new StringSerializer(), new ByteArraySerializer());

		RecordMetadata send(String topic, String key, String value) throws Exception {
			return send(topic, key, value.getBytes(StandardCharsets.UTF_8));
		}

		RecordMetadata send(String topic, String key, byte @Nullable [] value) throws Exception {
			return this.producer.send(new ProducerRecord<>(topic, key, value)).get(10, TimeUnit.SECONDS);
		}

		RecordMetadata send(TopicPartition partition, String key, String value) throws Exception {
			return this.producer
				.send(new ProducerRecord<>(partition.topic(), partition.partition(), key,
						value.getBytes(StandardCharsets.UTF_8)))
				.get(10, TimeUnit.SECONDS);
		}

		RecordMetadata send(TopicPartition partition, String key, byte[] value) throws Exception {
			return this.producer.send(new ProducerRecord<>(partition.topic(), partition.partition(), key, value))
				.get(10, TimeUnit.SECONDS);
		}

		/** A watermark marker as the connector writes one: the header, and {@code value} as the record's value. */
		RecordMetadata sendMarker(TopicPartition partition, String value) throws Exception {
			ProducerRecord<String, byte[]> marker = new ProducerRecord<>(partition.topic(), partition.partition(), null,
					value.getBytes(StandardCharsets.UTF_8));
			marker.headers().add(Watermark.HEADER, new byte[0]);
			return this.producer.send(marker).get(10, TimeUnit.SECONDS);
		}

		void deleteRecordsBefore(TopicPartition partition, long offset) throws Exception {
			try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
					SharedServers.get().kafka().bootstrapServers()))) {
				admin.deleteRecords(Map.of(partition, RecordsToDelete.beforeOffset(offset))).all().get(10, TimeUnit.SECONDS);
			}
		}

		@Override
		public void close() {
			this.producer.close(Duration.ofSeconds(5));
		}
	}

	RecordMetadata send(String topic, String key, String value) throws Exception {
		return this.producer.send(topic, key, value);
	}

	RecordMetadata send(String topic, String key, byte @Nullable [] value) throws Exception {
		return this.producer.send(topic, key, value);
	}

	/** A change (or anything else) on an explicit partition, as the connector's keying would place it. */
	RecordMetadata send(TopicPartition partition, String key, String value) throws Exception {
		return this.producer.send(partition, key, value);
	}

	/** A watermark marker as the connector writes one: the header, and {@code value} as the record's value. */
	RecordMetadata sendMarker(TopicPartition partition, String value) throws Exception {
		return this.producer.sendMarker(partition, value);
	}

	/**
	 * The records on the dead-letter {@code topic}, read from its start once at least one is there,
	 * with a few more fetches for any published with it.
	 */
	static List<ConsumerRecord<String, byte[]>> awaitDeadLetters(String topic) {
		try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(
				Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedServers.get().kafka().bootstrapServers(),
						ConsumerConfig.GROUP_ID_CONFIG, SharedServers.uniqueName("dlt"),
						ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
				new StringDeserializer(), new ByteArrayDeserializer())) {
			consumer.subscribe(List.of(topic));
			List<ConsumerRecord<String, byte[]>> found = new ArrayList<>();
			Waits.await("a record on " + topic).until(() -> {
				consumer.poll(Duration.ofMillis(200)).forEach(found::add);
				return !found.isEmpty();
			});
			for (int i = 0; i < 3; i++) {
				consumer.poll(Duration.ofMillis(200)).forEach(found::add);
			}
			return found;
		}
	}

	/** Retries every few milliseconds, so a test waiting for attempts does not wait for back-off. */
	static final Map<String, Object> RETRY_FAST = Map.of("freshline.invalidator.retry.initial-interval", "5ms",
			"freshline.invalidator.retry.max-interval", "20ms");

	/**
	 * Makes Redis refuse {@code commands} (an ACL on the default user) and clears its ACL log, so
	 * {@link #refused} sees only what is refused from now on: a Redis that "fails" this way keeps
	 * its data and says which command it turned away, unlike one that is stopped.
	 */
	void refuse(CommandType... commands) {
		AclSetuserArgs args = AclSetuserArgs.Builder.on();
		for (CommandType command : commands) {
			args.removeCommand(command);
		}
		redis().aclSetuser("default", args);
		redis().aclLogReset();
	}

	/** Lets Redis accept {@code commands} again. */
	void allow(CommandType... commands) {
		AclSetuserArgs args = AclSetuserArgs.Builder.on();
		for (CommandType command : commands) {
			args.addCommand(command);
		}
		redis().aclSetuser("default", args);
	}

	/** Whether Redis refused {@code command} (lower case, as the ACL log names it) since {@link #refuse}. */
	boolean refused(String command) {
		return redis().aclLog().stream().anyMatch((entry) -> command.equals(entry.get("object")));
	}

	RedisCommands<String, String> redis() {
		if (this.redisConnection == null) {
			throw new IllegalStateException("this invalidator runs on a Redis Cluster: use clusterRedis()");
		}
		return this.redisConnection.sync();
	}

	/** The cluster of an invalidator started on one. */
	RedisAdvancedClusterCommands<String, String> clusterRedis() {
		if (this.clusterConnection == null) {
			throw new IllegalStateException("this invalidator runs on a single Redis: use redis()");
		}
		return this.clusterConnection.sync();
	}

	double counter(String name, String... tags) {
		var meters = this.context.getBean(io.micrometer.core.instrument.MeterRegistry.class);
		return meters.find(name).tags(tags).counters().stream().mapToDouble(io.micrometer.core.instrument.Counter::count).sum();
	}

	long committedOffset(TopicPartition partition) throws Exception {
		try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
				SharedServers.get().kafka().bootstrapServers()))) {
			OffsetAndMetadata offset = admin.listConsumerGroupOffsets(groupId())
				.partitionsToOffsetAndMetadata()
				.get(10, TimeUnit.SECONDS)
				.get(partition);
			return offset == null ? -1 : offset.offset();
		}
	}

	static String patientChange(String op, Long beforeId, Long afterId) {
		return "{\"before\":" + image(beforeId) + ",\"after\":" + image(afterId)
				+ ",\"source\":{\"table\":\"patient\",\"ts_ms\":" + System.currentTimeMillis() + ",\"lsn\":1},\"op\":\"" + op
				+ "\"}";
	}

	private static String image(Long id) {
		return id == null ? "null" : "{\"id\":" + id + ",\"ward\":\"ward-a\",\"version\":2}";
	}

	@Override
	public void close() {
		this.context.close();
		this.producer.close();
		if (this.redisConnection != null) {
			this.redisConnection.close();
		}
		if (this.clusterConnection != null) {
			this.clusterConnection.close();
		}
		this.redisClient.shutdown();
	}
}
