package dev.freshline.ops;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.freshline.model.RuleSet;

/**
 * Where Kafka, Redis and Postgres are and which prefixes and rules the services use. Each value
 * comes from its flag, else its environment variable (the services' own names), else the running
 * local stack's {@code .freshline/local-stack.json}, else the services' localhost default. The
 * one mixin of every command that connects anywhere, so it also hands the command its {@link Ops},
 * its output, its endpoints and its {@link Clients}: a command declares this and its own options,
 * nothing else.
 */
public final class ConnectionOptions {

	/** The command this is mixed into (picocli sets it; null only when built by hand, as in tests). */
	@Spec(Spec.Target.MIXEE)
	@Nullable CommandSpec command;

	@Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT",
			description = "Kafka (env KAFKA_BOOTSTRAP_SERVERS; default: the local stack, else localhost:9092)")
	@Nullable String bootstrapServers;

	@Option(names = "--redis-host", description = "Redis host (env REDIS_HOST; default: the local stack, else localhost)")
	@Nullable String redisHost;

	@Option(names = "--redis-port", description = "Redis port (env REDIS_PORT; default: the local stack, else 6379)")
	@Nullable String redisPort;

	@Option(names = "--redis-cluster-nodes", paramLabel = "HOST:PORT,...",
			description = "A Redis Cluster's nodes instead of --redis-host and --redis-port (env SPRING_DATA_REDIS_CLUSTER_NODES,"
					+ " as the services; default: a single Redis)")
	@Nullable String redisClusterNodes;

	@Option(names = "--redis-user", description = "Redis ACL user (env REDIS_USERNAME; default: the local stack's ops user)."
			+ " Its password comes from env REDIS_PASSWORD or the local stack, never from a flag")
	@Nullable String redisUser;

	@Option(names = "--topic-prefix", description = "Topic prefix (env FRESHLINE_TOPIC_PREFIX; default freshline)")
	@Nullable String topicPrefix;

	@Option(names = "--key-prefix", description = "Cache key prefix (env FRESHLINE_KEY_PREFIX; default freshline)")
	@Nullable String keyPrefix;

	@Option(names = "--rules", paramLabel = "LOCATION",
			description = "Rules file (env FRESHLINE_RULES; default classpath:freshline-rules.yml)")
	@Nullable String rules;

	@Option(names = "--stack-file", paramLabel = "FILE",
			description = "The local stack's endpoints file (default .freshline/local-stack.json under FRESHLINE home)")
	@Nullable Path stackFile;

	private @Nullable Endpoints endpoints;

	/** The local stack's Redis user for this tool: {@code redis.users.ops} in its endpoints file. */
	private static final String OPS_USER = "ops";

	/** The tool the command runs in: its environment, home, clock and terminal. */
	public Ops ops() {
		return Ops.of(command());
	}

	/** The command's standard output. */
	public PrintWriter out() {
		return command().commandLine().getOut();
	}

	/** The command's error output. */
	public PrintWriter err() {
		return command().commandLine().getErr();
	}

	/** The command's endpoints, resolved on first use with its {@link #ops()}. */
	public Endpoints endpoints() {
		if (this.endpoints == null) {
			this.endpoints = resolve(ops());
		}
		return this.endpoints;
	}

	/**
	 * Prints where the command connects and opens its clients, for a try-with-resources: every
	 * command that talks to Kafka or Redis starts its output with the same line.
	 */
	public Clients connect() {
		Endpoints endpoints = endpoints();
		out().println(endpoints.describe());
		return new Clients(endpoints, kafkaLogin(ops()));
	}

	private CommandSpec command() {
		if (this.command == null) {
			throw new IllegalStateException("ConnectionOptions is not mixed into a command");
		}
		return this.command;
	}

	/** Resolves every endpoint; refuses values that could not work rather than failing later. */
	Endpoints resolve(Ops ops) {
		Map<String, String> env = ops.environment();
		Path file = (this.stackFile != null) ? this.stackFile : ops.home().resolve(".freshline/local-stack.json");
		JsonNode stack = readStack(file, this.stackFile != null);
		String bootstrap = first(this.bootstrapServers, env.get("KAFKA_BOOTSTRAP_SERVERS"),
				text(stack, "kafka", "bootstrapServers"), "localhost:9092");
		String host = first(this.redisHost, env.get("REDIS_HOST"), text(stack, "redis", "host"), "localhost");
		String port = first(this.redisPort, env.get("REDIS_PORT"), text(stack, "redis", "port"), "6379");
		int redisPort;
		try {
			redisPort = Integer.parseInt(port);
		}
		catch (NumberFormatException ex) {
			throw new OpsException("Redis port must be a number but was '" + port + "'");
		}
		String source = (stack == null) ? "flags, environment and defaults"
				: (this.stackFile != null) ? file.toString() : ".freshline/local-stack.json";
		// the local stack's ops user when Redis is the local stack's, unless a user is named: then
		// its password must come from the environment too (a password on the command line shows in ps)
		String ownNodes = first(this.redisClusterNodes, env.get("SPRING_DATA_REDIS_CLUSTER_NODES"), null, "");
		boolean stackRedis = blank(this.redisHost) && blank(env.get("REDIS_HOST")) && blank(this.redisPort)
				&& blank(env.get("REDIS_PORT")) && ownNodes.isBlank();
		// a local stack started with FRESHLINE_LOCAL_CLUSTER lists its nodes
		String clusterNodes = stackRedis ? stackClusterNodes(stack) : ownNodes;
		for (String node : clusterNodes.split(",")) {
			if (!node.isBlank() && !node.strip().matches("[^:\\s]+:\\d{1,5}")) {
				throw new OpsException("a Redis Cluster node must be host:port but was '" + node.strip() + "'");
			}
		}
		boolean stackUser = stackRedis && blank(this.redisUser) && blank(env.get("REDIS_USERNAME"));
		String user = first(this.redisUser, env.get("REDIS_USERNAME"),
				stackUser ? text(stack, "redis", "users", OPS_USER, "user") : null, "");
		String password = first(null, env.get("REDIS_PASSWORD"),
				stackUser ? text(stack, "redis", "users", OPS_USER, "password") : null, "");
		return new Endpoints(bootstrap, host, redisPort, user.isEmpty() ? null : user, password.isEmpty() ? null : password,
				first(this.topicPrefix, env.get("FRESHLINE_TOPIC_PREFIX"), null, "freshline"),
				first(this.keyPrefix, env.get("FRESHLINE_KEY_PREFIX"), null, "freshline"),
				first(this.rules, env.get("FRESHLINE_RULES"), null, RuleSet.DEFAULT_LOCATION), source,
				clusterNodes.isBlank() ? null : clusterNodes);
	}

	/**
	 * Postgres, for the one command that writes there ({@code resnapshot}, which owns the flags):
	 * the database from {@code --jdbc-url}, else POSTGRES_HOST/PORT/DB, else the local stack; the
	 * signal role from its flag, else SIGNAL_DB_USER, else the local stack's. Its password comes
	 * from SIGNAL_DB_PASSWORD or the local stack, never from a flag.
	 */
	public Postgres postgres(Ops ops, @Nullable String jdbcUrl, @Nullable String signalUser) {
		return postgres(ops, jdbcUrl, signalUser, PostgresRole.SIGNAL);
	}

	/**
	 * Postgres as one of the tool's roles: the database as for {@code resnapshot}; the role from
	 * its flag ({@code user}), else {@code <role>_USER}, else the local stack's
	 * {@code postgres.<role>User}, else its default name; its password from
	 * {@code <role>_PASSWORD} or the local stack's {@code postgres.<role>Password}, never a flag.
	 */
	public Postgres postgres(Ops ops, @Nullable String jdbcUrl, @Nullable String user, PostgresRole role) {
		Map<String, String> env = ops.environment();
		String url = first(jdbcUrl, urlFrom(env), stackValue(ops, "postgres", "jdbcUrl"),
				"jdbc:postgresql://localhost:5432/freshline");
		String name = first(user, env.get(role.variablePrefix() + "_USER"), stackValue(ops, "postgres", role.stackPrefix() + "User"),
				role.defaultName());
		String password = first(null, env.get(role.variablePrefix() + "_PASSWORD"),
				stackValue(ops, "postgres", role.stackPrefix() + "Password"), "");
		return new Postgres(url, name, password);
	}

	/**
	 * A Postgres role of this tool, each allowed one thing: its variables' prefix (the services'
	 * names, as compose sets them), its fields in the local stack's file, and its name by default.
	 */
	public record PostgresRole(String variablePrefix, String stackPrefix, String defaultName) {

		/** {@code resnapshot}: may insert Debezium signals and nothing else. */
		public static final PostgresRole SIGNAL = new PostgresRole("SIGNAL_DB", "signal", "freshline_signal");

		/** {@code inspect}: may read the ids, versions and key columns of the cached tables and nothing else. */
		public static final PostgresRole INSPECT = new PostgresRole("INSPECT_DB", "inspect", "freshline_inspect");
	}

	/** Where to connect to Postgres and as whom; {@link #toString()} leaves the password out. */
	public record Postgres(String jdbcUrl, String user, String password) {

		@Override
		public String toString() {
			return "Postgres " + this.jdbcUrl + " as " + this.user;
		}
	}

	/** The ops principal's Kafka login, from the environment or the local stack (see {@link KafkaLogin}). */
	@Nullable KafkaLogin kafkaLogin(Ops ops) {
		Path file = (this.stackFile != null) ? this.stackFile : ops.home().resolve(".freshline/local-stack.json");
		return KafkaLogin.resolve(ops.environment(), readStack(file, this.stackFile != null));
	}

	/** A value of the local stack's endpoints file (or the one given), if there is one. */
	@Nullable String stackValue(Ops ops, String group, String field) {
		Path file = (this.stackFile != null) ? this.stackFile : ops.home().resolve(".freshline/local-stack.json");
		return text(readStack(file, this.stackFile != null), group, field);
	}

	private static @Nullable String urlFrom(Map<String, String> env) {
		String host = env.get("POSTGRES_HOST");
		if (host == null || host.isBlank()) {
			return null;
		}
		return "jdbc:postgresql://" + host + ":" + env.getOrDefault("POSTGRES_PORT", "5432") + "/"
				+ env.getOrDefault("POSTGRES_DB", "freshline");
	}

	private static @Nullable JsonNode readStack(Path file, boolean required) {
		if (!Files.isRegularFile(file)) {
			if (required) {
				throw new OpsException("no stack file at " + file);
			}
			return null;
		}
		try {
			return JsonMapper.builder().build().readTree(Files.readAllBytes(file));
		}
		catch (IOException | JacksonException ex) {
			throw new OpsException("cannot read " + file + ": " + ex.getMessage());
		}
	}

	private static @Nullable String text(@Nullable JsonNode stack, String... path) {
		return Optional.ofNullable(stack)
			.map((node) -> {
				JsonNode value = node;
				for (String field : path) {
					value = value.path(field);
				}
				return value;
			})
			.filter((node) -> !node.isMissingNode() && !node.isNull())
			.map(JsonNode::asString)
			.orElse(null);
	}

	/** {@code redis.clusterNodes} of the local stack's file, joined with commas; empty for one Redis. */
	private static String stackClusterNodes(@Nullable JsonNode stack) {
		List<String> nodes = new ArrayList<>();
		if (stack != null) {
			stack.path("redis").path("clusterNodes").forEach((node) -> nodes.add(node.asString()));
		}
		return String.join(",", nodes);
	}

	private static boolean blank(@Nullable String value) {
		return value == null || value.isBlank();
	}

	private static String first(@Nullable String flag, @Nullable String env, @Nullable String stack, String fallback) {
		if (flag != null && !flag.isBlank()) {
			return flag;
		}
		if (env != null && !env.isBlank()) {
			return env;
		}
		return (stack != null && !stack.isBlank()) ? stack : fallback;
	}
}
