package dev.freshline.embedded;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Postgres, one Kafka, one Redis and, for the tests that ask for one, a Redis Cluster per test
 * JVM, each started on first use and stopped by a
 * shutdown hook. Starting servers per test class would cost seconds each; isolation comes from
 * {@link #newDatabase()} and {@link #uniqueName(String)} instead.
 *
 * <p>Do not stop or close the shared servers from a test: start a dedicated server for that.
 */
public final class SharedServers {

	private static final Logger log = LoggerFactory.getLogger(SharedServers.class);

	private static final SharedServers INSTANCE = new SharedServers();

	private static final AtomicLong COUNTER = new AtomicLong();

	private static final SecureRandom RANDOM = new SecureRandom();

	private static final String ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

	// Postgres identifiers (slot names included) are at most 63 bytes.
	private static final int MAX_PREFIX_LENGTH = 40;

	private final Lazy<PostgresServer> postgres = new Lazy<>(this::startPostgres);

	private final Lazy<KafkaServer> kafka = new Lazy<>(() -> KafkaServer.start(directory().resolve("kafka")));

	private final Lazy<RedisServer> redis = new Lazy<>(RedisServer::start);

	private final Lazy<RedisCluster> redisCluster = new Lazy<>(RedisCluster::start);

	private @Nullable Path directory;

	private SharedServers() {
		Runtime.getRuntime().addShutdownHook(new Thread(this::shutdown, "shared-servers-shutdown"));
	}

	public static SharedServers get() {
		return INSTANCE;
	}

	/** The shared Postgres, with the {@link DatabaseRole} roles in place. */
	public PostgresServer postgres() {
		return this.postgres.get();
	}

	public KafkaServer kafka() {
		return this.kafka.get();
	}

	public RedisServer redis() {
		return this.redis.get();
	}

	/** A Redis Cluster of three primaries with a replica each; started only by the tests that ask for it. */
	public RedisCluster redisCluster() {
		return this.redisCluster.get();
	}

	/** Creates a fresh, uniquely named database owned by {@link DatabaseRole#OWNER}. */
	public TestDatabase newDatabase() {
		PostgresServer server = postgres();
		String name = uniqueName("t");
		server.createDatabase(name, DatabaseRole.OWNER.name());
		return new TestDatabase(name, server.jdbcUrl(name), server.host(), server.port());
	}

	/** Drops a database made by {@link #newDatabase()}, with its replication slots. */
	public void dropDatabase(TestDatabase database) {
		postgres().dropDatabase(database.name());
	}

	/**
	 * A lower-case name unique within this JVM and very likely across JVMs, made of [a-z0-9_] so it
	 * is valid as a database, topic, replication slot or Redis key prefix. Invalid prefix characters
	 * become underscores.
	 */
	public static String uniqueName(String prefix) {
		String cleaned = prefix.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
		if (cleaned.isEmpty() || Character.isDigit(cleaned.charAt(0))) {
			cleaned = "n" + cleaned;
		}
		if (cleaned.length() > MAX_PREFIX_LENGTH) {
			cleaned = cleaned.substring(0, MAX_PREFIX_LENGTH);
		}
		return cleaned + "_" + COUNTER.incrementAndGet() + "_" + randomSuffix(6);
	}

	private static String randomSuffix(int length) {
		StringBuilder suffix = new StringBuilder(length);
		for (int i = 0; i < length; i++) {
			suffix.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
		}
		return suffix.toString();
	}

	private PostgresServer startPostgres() {
		PostgresServer server = PostgresServer.start(directory().resolve("postgres"));
		for (DatabaseRole role : DatabaseRole.ALL) {
			role.ensureOn(server);
		}
		return server;
	}

	private synchronized Path directory() {
		if (this.directory == null) {
			this.directory = Directories.createTemp("freshline-shared-");
		}
		return this.directory;
	}

	private void shutdown() {
		// Each server is closed on its own so one failure does not leave the others running.
		close(this.kafka, "Kafka");
		close(this.postgres, "Postgres");
		close(this.redis, "Redis");
		close(this.redisCluster, "Redis Cluster");
		Path root;
		synchronized (this) {
			root = this.directory;
		}
		if (root != null) {
			Directories.deleteRecursively(root);
		}
	}

	private static void close(Lazy<? extends AutoCloseable> server, String name) {
		AutoCloseable started = server.ifStarted();
		if (started == null) {
			return;
		}
		try {
			started.close();
		}
		catch (Exception ex) {
			log.warn("Shared {} did not close cleanly", name, ex);
		}
	}

	/** Starts a server on first use, once, even under concurrent test classes. */
	private static final class Lazy<T> {

		private final Supplier<T> starter;
		private @Nullable T value;

		Lazy(Supplier<T> starter) {
			this.starter = starter;
		}

		synchronized T get() {
			T current = this.value;
			if (current == null) {
				current = this.starter.get();
				this.value = current;
			}
			return current;
		}

		synchronized @Nullable T ifStarted() {
			return this.value;
		}
	}
}
