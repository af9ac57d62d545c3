package dev.freshline.ops;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.stream.Stream;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jspecify.annotations.Nullable;

import org.springframework.data.redis.connection.RedisClusterConfiguration;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

import dev.freshline.cache.Primaries;
import dev.freshline.embedded.KafkaServer;
import dev.freshline.embedded.RedisCluster;
import dev.freshline.embedded.RedisServer;
import dev.freshline.embedded.SharedServers;
import dev.freshline.model.CacheKeys;
import dev.freshline.model.Topics;
import dev.freshline.model.Watermark;

/**
 * One test's slice of the shared real Kafka and Redis: its own topic prefix, key prefix and
 * live group name, clients to arrange and inspect them, and {@link #ops} to run the tool
 * in-process with exactly these endpoints. {@link #close()} deletes the topics and keys it made.
 */
public final class OpsFixture implements AutoCloseable {

	public static final int PARTITIONS = 3;

	public final KafkaServer kafka = SharedServers.get().kafka();

	public final RedisServer redisServer = SharedServers.get().redis();

	/** The shared Redis Cluster when this fixture's Redis is one, else null: then {@link #redisServer} is. */
	public final @Nullable RedisCluster redisCluster;

	public final String topicPrefix = SharedServers.uniqueName("ops");

	public final String keyPrefix = SharedServers.uniqueName("ops");

	public final Topics topics = new Topics(this.topicPrefix);

	public final CacheKeys keys = new CacheKeys(this.keyPrefix);

	public final Admin admin;

	public final KafkaProducer<String, byte[]> producer;

	public final LettuceConnectionFactory connections;

	public final StringRedisTemplate redis;

	private final List<String> createdTopics = new ArrayList<>();

	private final List<String> createdGroups = new ArrayList<>();

	/** A slice of the shared single Redis. */
	public OpsFixture() {
		this(false);
	}

	/** A slice of the shared Redis Cluster if {@code cluster}, else of the shared single Redis. */
	public OpsFixture(boolean cluster) {
		this.redisCluster = cluster ? SharedServers.get().redisCluster() : null;
		Properties properties = new Properties();
		properties.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, this.kafka.bootstrapServers());
		this.admin = Admin.create(properties);
		this.producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, this.kafka.bootstrapServers(),
				ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.LINGER_MS_CONFIG, 0), new StringSerializer(),
				new ByteArraySerializer());
		this.connections = (this.redisCluster != null)
				? new LettuceConnectionFactory(
						new RedisClusterConfiguration(Arrays.asList(this.redisCluster.nodeAddresses().split(","))))
				: new LettuceConnectionFactory(new RedisStandaloneConfiguration(this.redisServer.host(), this.redisServer.port()));
		this.connections.afterPropertiesSet();
		this.connections.start();
		this.redis = new StringRedisTemplate(this.connections);
	}

	/** The flags that point the tool at this fixture, and nothing else. */
	public String[] endpoints() {
		String[] redis = (this.redisCluster != null)
				? new String[] { "--redis-cluster-nodes", this.redisCluster.nodeAddresses() }
				: new String[] { "--redis-host", this.redisServer.host(), "--redis-port",
						Integer.toString(this.redisServer.port()) };
		return Stream.of(new String[] { "--bootstrap-servers", this.kafka.bootstrapServers() }, redis,
				new String[] { "--topic-prefix", this.topicPrefix, "--key-prefix", this.keyPrefix })
			.flatMap(Stream::of)
			.toArray(String[]::new);
	}

	/** Runs {@code ops <command> <args> <this fixture's endpoints>} with an empty environment. */
	public Run ops(String command, String... args) {
		return run(Clock.systemUTC(), Stream.of(new String[] { command }, args, endpoints())
			.flatMap(Stream::of)
			.toArray(String[]::new));
	}

	/** As {@link #ops(String, String...)}, with {@code environment} (a password the tool reads from env only). */
	public Run ops(Map<String, String> environment, String command, String... args) {
		return run(environment, Clock.systemUTC(), Stream.of(new String[] { command }, args, endpoints())
			.flatMap(Stream::of)
			.toArray(String[]::new));
	}

	public static Run run(Clock clock, String... args) {
		return run(Map.of(), clock, args);
	}

	private static Run run(Map<String, String> environment, Clock clock, String... args) {
		StringWriter out = new StringWriter();
		StringWriter err = new StringWriter();
		// an empty home: no local-stack.json may leak into a test
		Ops ops = new Ops(environment, Path.of("target/no-such-home"), clock, false);
		int exit = ops.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
		return new Run(exit, out.toString(), err.toString());
	}

	public record Run(int exitCode, String out, String err) {
	}

	public String createTopic(String name, int partitions) {
		try {
			this.admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all().get();
		}
		catch (InterruptedException | ExecutionException ex) {
			throw new IllegalStateException(ex);
		}
		this.createdTopics.add(name);
		return name;
	}

	public String changeTopic(String table) {
		return createTopic(this.topics.changes(table), PARTITIONS);
	}

	public void send(String topic, int partition, @Nullable Long timestamp, String key, byte @Nullable [] value) {
		try {
			this.producer.send(new ProducerRecord<>(topic, partition, timestamp, key, value)).get();
		}
		catch (InterruptedException | ExecutionException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/** A watermark marker as the connector writes one: the header, and {@code value} as the record's value. */
	public void sendMarker(String topic, int partition, String value) {
		ProducerRecord<String, byte[]> marker = new ProducerRecord<>(topic, partition, null,
				value.getBytes(StandardCharsets.UTF_8));
		marker.headers().add(Watermark.HEADER, new byte[0]);
		try {
			this.producer.send(marker).get();
		}
		catch (InterruptedException | ExecutionException ex) {
			throw new IllegalStateException(ex);
		}
	}

	public void send(String topic, int partition, String json) {
		send(topic, partition, null, "k", json.getBytes(StandardCharsets.UTF_8));
	}

	/** Commits {@code offset} on every partition of {@code topic} for {@code group} (a group without members). */
	public void commit(String group, String topic, long offset) {
		Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
		for (int partition = 0; partition < PARTITIONS; partition++) {
			offsets.put(new TopicPartition(topic, partition), new OffsetAndMetadata(offset));
		}
		try {
			this.admin.alterConsumerGroupOffsets(group, offsets).all().get();
		}
		catch (InterruptedException | ExecutionException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/** A consumer group name of this test's own, deleted on {@link #close()}. */
	public String group(String name) {
		String group = SharedServers.uniqueName(name);
		this.createdGroups.add(group);
		return group;
	}

	/** Deletes a group the test made, if it exists (a refused command may never have created it). */
	private void deleteGroup(String group) {
		try {
			this.admin.deleteConsumerGroups(List.of(group)).all().get();
		}
		catch (ExecutionException ex) {
			if (!(ex.getCause() instanceof GroupIdNotFoundException)) {
				throw new IllegalStateException(ex.getCause());
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	public Map<TopicPartition, Long> committed(String group) {
		try {
			Map<TopicPartition, Long> offsets = new HashMap<>();
			this.admin.listConsumerGroupOffsets(group)
				.partitionsToOffsetAndMetadata()
				.get()
				.forEach((partition, metadata) -> offsets.put(partition, metadata.offset()));
			return offsets;
		}
		catch (InterruptedException | ExecutionException ex) {
			throw new IllegalStateException(ex);
		}
	}

	public long logStart(String topic, int partition) {
		TopicPartition tp = new TopicPartition(topic, partition);
		try {
			return this.admin.listOffsets(Map.of(tp, OffsetSpec.earliest())).partitionResult(tp).get().offset();
		}
		catch (InterruptedException | ExecutionException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/** Every key under this fixture's prefix, with its value, for before/after comparisons. */
	public Map<String, String> snapshot() {
		Map<String, String> values = new HashMap<>();
		for (String key : redisKeys()) {
			String type = this.redis.type(key).code();
			values.put(key, type.equals("string") ? this.redis.opsForValue().get(key)
					: type + ":" + this.redis.opsForSet().members(key));
		}
		return values;
	}

	/** Every key of this fixture's prefix, on every primary of a cluster. */
	public Set<String> redisKeys() {
		Set<String> found = new TreeSet<>();
		Primaries.scan(this.connections, this.keyPrefix + ":*", 500, (key) -> {
			found.add(key);
			return true;
		});
		return found;
	}

	public static String patientChange(String op, long id, @Nullable String wardBefore, @Nullable String wardAfter,
			long version) {
		String before = (wardBefore != null)
				? "{\"id\":" + id + ",\"ward\":\"" + wardBefore + "\",\"version\":" + (version - 1) + "}" : "null";
		String after = (wardAfter != null) ? "{\"id\":" + id + ",\"ward\":\"" + wardAfter + "\",\"version\":" + version + "}"
				: "null";
		return "{\"before\":" + before + ",\"after\":" + after + ",\"source\":{\"version\":\"3.6.1.Final\","
				+ "\"connector\":\"postgresql\",\"table\":\"patient\",\"ts_ms\":1700000000000,\"lsn\":" + (1000 + id)
				+ "},\"op\":\"" + op + "\",\"ts_ms\":1700000000010,\"transaction\":null}";
	}

	@Override
	public void close() {
		try {
			try {
				this.createdGroups.forEach(this::deleteGroup);
			}
			finally {
				if (!this.createdTopics.isEmpty()) {
					this.admin.deleteTopics(this.createdTopics).all().get();
				}
			}
		}
		catch (InterruptedException | ExecutionException ex) {
			throw new IllegalStateException(ex);
		}
		finally {
			Set<String> leftovers = redisKeys();
			if (!leftovers.isEmpty()) {
				this.redis.unlink(leftovers);
			}
			this.producer.close(Duration.ofSeconds(5));
			this.admin.close(Duration.ofSeconds(5));
			this.connections.destroy();
		}
	}
}
