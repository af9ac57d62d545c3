package dev.freshline.ops;

import java.time.Duration;
import java.util.Properties;

import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.jspecify.annotations.Nullable;

import org.springframework.data.redis.connection.RedisClusterConfiguration;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisPassword;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import dev.freshline.cache.CacheCommands;

/**
 * The Kafka and Redis clients of one command, created on first use and closed together. Timeouts
 * are short enough that a wrong endpoint fails the command within seconds instead of hanging.
 */
public final class Clients implements AutoCloseable {

	/** As the services: a raised floor must outlive the API's longest fill. */
	private static final Duration FLOOR_TTL = Duration.ofMinutes(10);

	/** Keys per pipelined round trip; large batches are what makes a replay fast. */
	private static final int BATCH_SIZE = 1_000;

	private static final Duration REDIS_TIMEOUT = Duration.ofSeconds(10);

	private static final int KAFKA_TIMEOUT_MS = 15_000;

	private final Endpoints endpoints;

	private final @Nullable KafkaLogin kafkaLogin;

	private @Nullable Admin admin;

	private @Nullable LettuceConnectionFactory redis;

	private @Nullable CacheCommands cache;

	public Clients(Endpoints endpoints) {
		this(endpoints, null);
	}

	/** {@code kafkaLogin}: how to log in to a broker that requires SASL; null for an open one. */
	public Clients(Endpoints endpoints, @Nullable KafkaLogin kafkaLogin) {
		this.endpoints = endpoints;
		this.kafkaLogin = kafkaLogin;
	}

	public Admin admin() {
		if (this.admin == null) {
			Properties properties = new Properties();
			properties.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, this.endpoints.bootstrapServers());
			properties.put(AdminClientConfig.CLIENT_ID_CONFIG, "freshline-ops-admin");
			properties.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, KAFKA_TIMEOUT_MS);
			properties.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, KAFKA_TIMEOUT_MS);
			login(properties);
			this.admin = Admin.create(properties);
		}
		return this.admin;
	}

	/**
	 * A consumer for {@code assign()} and {@code seek()}: no auto commit, no offset reset (a
	 * position that retention removed fails loudly), and fetches sized for replaying fast.
	 *
	 * @param groupId the group it may commit to, or null for none at all
	 */
	public KafkaConsumer<byte[], byte[]> consumer(String clientId, @Nullable String groupId, int maxPollRecords) {
		Properties properties = new Properties();
		properties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, this.endpoints.bootstrapServers());
		properties.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
		if (groupId != null) {
			properties.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
		}
		properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
		properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
		properties.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, maxPollRecords);
		properties.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 8 * 1024 * 1024);
		properties.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 64 * 1024 * 1024);
		properties.put(ConsumerConfig.RECEIVE_BUFFER_CONFIG, 1024 * 1024);
		properties.put(CommonClientConfigs.DEFAULT_API_TIMEOUT_MS_CONFIG, KAFKA_TIMEOUT_MS);
		properties.put(CommonClientConfigs.REQUEST_TIMEOUT_MS_CONFIG, KAFKA_TIMEOUT_MS);
		login(properties);
		return new KafkaConsumer<>(properties, new ByteArrayDeserializer(), new ByteArrayDeserializer());
	}

	private void login(Properties properties) {
		if (this.kafkaLogin != null) {
			this.kafkaLogin.configure(properties);
		}
	}

	public CacheCommands cache() {
		if (this.cache == null) {
			LettuceConnectionFactory factory = redisConnections();
			factory.afterPropertiesSet();
			factory.start();
			this.redis = factory;
			this.cache = new CacheCommands(factory, this.endpoints.keys(), FLOOR_TTL, BATCH_SIZE, REDIS_TIMEOUT);
		}
		return this.cache;
	}

	/**
	 * A single Redis, or a Redis Cluster when the endpoints name its nodes: then with a topology
	 * that Lettuce refreshes on redirects and every second, as the services do, so a command that
	 * runs through a failover follows the promoted replica.
	 */
	private LettuceConnectionFactory redisConnections() {
		LettuceClientConfiguration.LettuceClientConfigurationBuilder client = LettuceClientConfiguration.builder()
			.commandTimeout(REDIS_TIMEOUT);
		if (this.endpoints.redisClusterNodes() == null) {
			RedisStandaloneConfiguration server = new RedisStandaloneConfiguration(this.endpoints.redisHost(),
					this.endpoints.redisPort());
			if (this.endpoints.redisUser() != null) {
				server.setUsername(this.endpoints.redisUser());
			}
			if (this.endpoints.redisPassword() != null) {
				server.setPassword(RedisPassword.of(this.endpoints.redisPassword()));
			}
			return new LettuceConnectionFactory(server, client.build());
		}
		RedisClusterConfiguration cluster = new RedisClusterConfiguration(this.endpoints.redisClusterSeeds());
		if (this.endpoints.redisUser() != null) {
			cluster.setUsername(this.endpoints.redisUser());
		}
		if (this.endpoints.redisPassword() != null) {
			cluster.setPassword(RedisPassword.of(this.endpoints.redisPassword()));
		}
		client.clientOptions(ClusterClientOptions.builder()
			.topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
				.enableAllAdaptiveRefreshTriggers()
				.enablePeriodicRefresh(Duration.ofSeconds(1))
				.build())
			.build());
		return new LettuceConnectionFactory(cluster, client.build());
	}

	/** Fails unless Redis answers, so a command that would write finds out before it reads anything. */
	public void ping() {
		try (RedisConnection connection = redis().getConnection()) {
			connection.ping();
		}
	}

	/** The connection factory behind {@link #cache()}, for reads such as counting a namespace's keys. */
	public LettuceConnectionFactory redis() {
		cache();
		return this.redis;
	}

	@Override
	public void close() {
		if (this.admin != null) {
			this.admin.close(Duration.ofSeconds(5));
		}
		if (this.redis != null) {
			this.redis.destroy();
		}
	}
}
