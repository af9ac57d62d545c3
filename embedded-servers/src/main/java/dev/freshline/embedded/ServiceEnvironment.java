package dev.freshline.embedded;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;

/**
 * The environment variables a Freshline service reads, written once: the launcher hands them to
 * the service processes, the tests to in-process contexts, and {@code ComposeFileTests} checks
 * docker-compose.yml against {@link #NAMES} and {@link DatabaseRole#ALL}, so the variable names
 * and role names cannot drift apart between the three.
 */
public final class ServiceEnvironment {

	public static final String POSTGRES_HOST = "POSTGRES_HOST";

	public static final String POSTGRES_PORT = "POSTGRES_PORT";

	public static final String POSTGRES_DB = "POSTGRES_DB";

	public static final String KAFKA_BOOTSTRAP_SERVERS = "KAFKA_BOOTSTRAP_SERVERS";

	/** {@code PLAINTEXT} unless set; {@code SASL_PLAINTEXT} with {@link #KAFKA_USER} (see {@link #kafka(String, KafkaUser)}). */
	public static final String KAFKA_SECURITY_PROTOCOL = "KAFKA_SECURITY_PROTOCOL";

	public static final String KAFKA_SASL_MECHANISM = "KAFKA_SASL_MECHANISM";

	/** The service's own Kafka principal; its password comes in {@link #KAFKA_PASSWORD}, never an argument. */
	public static final String KAFKA_USER = "KAFKA_USER";

	public static final String KAFKA_PASSWORD = "KAFKA_PASSWORD";

	public static final String REDIS_HOST = "REDIS_HOST";

	public static final String REDIS_PORT = "REDIS_PORT";

	/** A Redis Cluster's nodes, {@code host:port,...}, instead of {@link #REDIS_HOST} and {@link #REDIS_PORT}. */
	public static final String REDIS_CLUSTER_NODES = "SPRING_DATA_REDIS_CLUSTER_NODES";

	/** Replicas of each change topic the services declare (1 unless set). */
	public static final String TOPIC_REPLICATION_FACTOR = "FRESHLINE_TOPIC_REPLICATION_FACTOR";

	/** The change topics' {@code min.insync.replicas} (the broker's default unless set). */
	public static final String TOPIC_MIN_INSYNC_REPLICAS = "FRESHLINE_TOPIC_MIN_INSYNC_REPLICAS";

	/** The Redis ACL user a service logs in as (spring.data.redis.username); none: the default user. */
	public static final String REDIS_USERNAME = "REDIS_USERNAME";

	/** That user's password (spring.data.redis.password). */
	public static final String REDIS_PASSWORD = "REDIS_PASSWORD";

	public static final String FRESHLINE_TOPIC_PREFIX = "FRESHLINE_TOPIC_PREFIX";

	public static final String FRESHLINE_KEY_PREFIX = "FRESHLINE_KEY_PREFIX";

	public static final String CDC_SLOT_NAME = "CDC_SLOT_NAME";

	public static final String CDC_PUBLICATION_NAME = "CDC_PUBLICATION_NAME";

	public static final String CDC_OFFSET_FILE = "CDC_OFFSET_FILE";

	public static final String INVALIDATOR_GROUP_ID = "INVALIDATOR_GROUP_ID";

	public static final String INVALIDATOR_CONCURRENCY = "INVALIDATOR_CONCURRENCY";

	public static final String INVALIDATOR_INSTANCE_ID = "INVALIDATOR_INSTANCE_ID";

	public static final String SERVER_PORT = "SERVER_PORT";

	/**
	 * The port of the service's actuator (health details, metrics): a server of its own, bound to
	 * {@link #MANAGEMENT_SERVER_ADDRESS}, so the API's port serves only the API and its probes.
	 */
	public static final String MANAGEMENT_SERVER_PORT = "MANAGEMENT_SERVER_PORT";

	/** Where the management server listens: {@code 127.0.0.1} unless set (a pod address, behind a NetworkPolicy). */
	public static final String MANAGEMENT_SERVER_ADDRESS = "MANAGEMENT_SERVER_ADDRESS";

	/** The API's freshness fence ({@code true} by default); a test of the API without a pipeline turns it off. */
	public static final String FRESHLINE_FENCE = "FRESHLINE_FENCE";

	/** Whether the connector writes watermark markers, which the fence reads. */
	public static final String CDC_MARKERS = "CDC_MARKERS";

	/** The API's Flyway locations; without it the API migrates the schema and loads no demo data. */
	public static final String FLYWAY_LOCATIONS = "FLYWAY_LOCATIONS";

	/** The schema plus the synthetic demo patients and formularies that the walkthrough and tests read. */
	public static final String DEMO_DATA_LOCATIONS = "classpath:db/migration,classpath:db/seed";

	/**
	 * Spring Boot's own setting, in its environment-variable form: the PEM file of the public key
	 * the API verifies bearer tokens with (the local stack's; production sets an issuer instead).
	 */
	public static final String JWT_PUBLIC_KEY_LOCATION = "SPRING_SECURITY_OAUTH2_RESOURCESERVER_JWT_PUBLIC_KEY_LOCATION";

	/** Spring Boot's setting for an issuer whose JWK set the API trusts: what docker-compose.yml sets. */
	public static final String JWT_ISSUER_URI = "SPRING_SECURITY_OAUTH2_RESOURCESERVER_JWT_ISSUER_URI";

	/** The same setting as a property, the form a context started in a test JVM binds. */
	private static final String JWT_PUBLIC_KEY_LOCATION_PROPERTY = "spring.security.oauth2.resourceserver.jwt.public-key-location";

	/** Every variable above, and each role's user and password variable. */
	public static final Set<String> NAMES = names();

	private final Map<String, Object> variables = new LinkedHashMap<>();

	private @Nullable String publicKeyLocation;

	/**
	 * Postgres and every {@link DatabaseRole}: its name, and the password {@code passwords} gives
	 * it when a service logs in as that role.
	 */
	public ServiceEnvironment database(String host, int port, String database,
			Function<DatabaseRole, String> passwords) {
		this.variables.put(POSTGRES_HOST, host);
		this.variables.put(POSTGRES_PORT, port);
		this.variables.put(POSTGRES_DB, database);
		for (DatabaseRole role : DatabaseRole.ALL) {
			this.variables.put(role.userVariable(), role.name());
			// least privilege: no service logs in as the ops tool's roles (the API only grants them),
			// so none gets their passwords; ops resnapshot and ops inspect read them from the
			// endpoints file or their own env
			if (role != DatabaseRole.SIGNAL && role != DatabaseRole.INSPECT) {
				this.variables.put(role.passwordVariable(), passwords.apply(role));
			}
		}
		return this;
	}

	/**
	 * {@code environment} without the passwords of the database roles other than {@code roles}: a
	 * service process holds only the logins it uses (the API the owner's, for its migrations, and
	 * its own; the connector the replication role's; the invalidator its catalog reader's).
	 */
	public static Map<String, String> withPasswordsOf(Map<String, String> environment, DatabaseRole... roles) {
		Map<String, String> kept = new LinkedHashMap<>(environment);
		Set<DatabaseRole> used = Set.of(roles);
		for (DatabaseRole role : DatabaseRole.ALL) {
			if (!used.contains(role)) {
				kept.remove(role.passwordVariable());
			}
		}
		return kept;
	}

	/** A test database on the shared Postgres, with the roles' fixed passwords. */
	public ServiceEnvironment database(TestDatabase database) {
		return database(database.host(), database.port(), database.name(), DatabaseRole::password);
	}

	public ServiceEnvironment kafka(String bootstrapServers) {
		this.variables.put(KAFKA_BOOTSTRAP_SERVERS, bootstrapServers);
		return this;
	}

	/** A secured broker, logged in to as {@code user}: each service gets its own (see KafkaGrants). */
	public ServiceEnvironment kafka(String bootstrapServers, KafkaUser user) {
		this.variables.put(KAFKA_BOOTSTRAP_SERVERS, bootstrapServers);
		this.variables.put(KAFKA_SECURITY_PROTOCOL, KafkaUser.SECURITY_PROTOCOL);
		this.variables.put(KAFKA_SASL_MECHANISM, KafkaUser.MECHANISM);
		this.variables.put(KAFKA_USER, user.user());
		this.variables.put(KAFKA_PASSWORD, user.password());
		return this;
	}

	/**
	 * Any free port for the service and for its management server, as a test starts it; the
	 * context says which in {@code local.server.port} and {@code local.management.port}.
	 */
	public ServiceEnvironment freePorts() {
		this.variables.put(SERVER_PORT, 0);
		this.variables.put(MANAGEMENT_SERVER_PORT, 0);
		return this;
	}

	public ServiceEnvironment redis(String host, int port) {
		this.variables.put(REDIS_HOST, host);
		this.variables.put(REDIS_PORT, port);
		return this;
	}

	public ServiceEnvironment redis(RedisServer redis) {
		return redis(redis.host(), redis.port());
	}

	/** The Redis ACL user the service logs in as, and its password. */
	public ServiceEnvironment redisUser(String user, String password) {
		this.variables.put(REDIS_USERNAME, user);
		this.variables.put(REDIS_PASSWORD, password);
		return this;
	}

	/**
	 * Seed the demo data along with the migrations: for the local stack and tests only, which read
	 * seeded ids such as {@code /patients/42}; the API's default seeds nothing.
	 */
	public ServiceEnvironment demoData() {
		this.variables.put(FLYWAY_LOCATIONS, DEMO_DATA_LOCATIONS);
		return this;
	}

	/**
	 * The API trusts tokens signed by the private half of {@code pem} ({@link LocalIssuer}); the
	 * other services ignore it.
	 */
	public ServiceEnvironment publicKey(Path pem) {
		this.publicKeyLocation = "file:" + pem.toAbsolutePath();
		return this;
	}

	/** The public key of {@link LocalIssuer#forTests()}, whose tokens a test's clients present. */
	public ServiceEnvironment testPublicKey() {
		return publicKey(LocalIssuer.testPublicKey());
	}

	/** Any other variable, or a Spring property of the service under test. */
	public ServiceEnvironment put(String name, Object value) {
		this.variables.put(name, value);
		return this;
	}

	public ServiceEnvironment putAll(Map<String, ?> variables) {
		this.variables.putAll(variables);
		return this;
	}

	/** For {@code SpringApplicationBuilder.properties}: values keep their types. */
	public Map<String, Object> toMap() {
		Map<String, Object> properties = new LinkedHashMap<>(this.variables);
		// only the environment binds Spring's upper-case names to properties
		if (this.publicKeyLocation != null) {
			properties.put(JWT_PUBLIC_KEY_LOCATION_PROPERTY, this.publicKeyLocation);
		}
		return properties;
	}

	/** For a process environment. */
	public Map<String, String> toStrings() {
		Map<String, String> strings = new LinkedHashMap<>();
		this.variables.forEach((name, value) -> strings.put(name, String.valueOf(value)));
		if (this.publicKeyLocation != null) {
			strings.put(JWT_PUBLIC_KEY_LOCATION, this.publicKeyLocation);
		}
		return strings;
	}

	private static Set<String> names() {
		Set<String> names = new TreeSet<>(Set.of(KAFKA_SECURITY_PROTOCOL, KAFKA_SASL_MECHANISM, KAFKA_USER, KAFKA_PASSWORD));
		names.addAll(Set.of(POSTGRES_HOST, POSTGRES_PORT, POSTGRES_DB, KAFKA_BOOTSTRAP_SERVERS,
				REDIS_HOST, REDIS_PORT, FRESHLINE_TOPIC_PREFIX, FRESHLINE_KEY_PREFIX, CDC_SLOT_NAME, CDC_PUBLICATION_NAME,
				CDC_OFFSET_FILE, INVALIDATOR_GROUP_ID, INVALIDATOR_CONCURRENCY, SERVER_PORT, FLYWAY_LOCATIONS, FRESHLINE_FENCE,
				CDC_MARKERS, JWT_PUBLIC_KEY_LOCATION, JWT_ISSUER_URI));
		names.addAll(Set.of(REDIS_USERNAME, REDIS_PASSWORD, MANAGEMENT_SERVER_PORT, MANAGEMENT_SERVER_ADDRESS));
		for (DatabaseRole role : DatabaseRole.ALL) {
			names.add(role.userVariable());
			names.add(role.passwordVariable());
		}
		return Collections.unmodifiableSet(names);
	}
}
