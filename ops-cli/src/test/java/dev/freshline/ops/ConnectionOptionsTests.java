package dev.freshline.ops;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Where the tool looks for its endpoints: flag, then environment, then the local stack's file, then localhost. */
class ConnectionOptionsTests {

	@TempDir
	Path home;

	@Test
	void shouldUseTheLocalStackFileWhenNothingElseIsGiven() throws IOException {
		writeStack();

		Endpoints endpoints = resolve(Map.of(), new ConnectionOptions());

		assertThat(endpoints.bootstrapServers()).isEqualTo("127.0.0.1:40001");
		assertThat(endpoints.redisHost()).isEqualTo("127.0.0.1");
		assertThat(endpoints.redisPort()).isEqualTo(40002);
		assertThat(endpoints.topicPrefix()).isEqualTo("freshline");
		assertThat(endpoints.keyPrefix()).isEqualTo("freshline");
		assertThat(endpoints.source()).endsWith("local-stack.json");
	}

	@Test
	void shouldPreferTheEnvironmentToTheFileAndAFlagToBoth() throws IOException {
		writeStack();
		ConnectionOptions options = new ConnectionOptions();
		options.redisPort = "7000";

		Endpoints endpoints = resolve(Map.of("KAFKA_BOOTSTRAP_SERVERS", "kafka:9092", "REDIS_PORT", "6000",
				"FRESHLINE_KEY_PREFIX", "other"), options);

		assertThat(endpoints.bootstrapServers()).isEqualTo("kafka:9092");
		assertThat(endpoints.redisHost()).isEqualTo("127.0.0.1");
		assertThat(endpoints.redisPort()).isEqualTo(7000);
		assertThat(endpoints.keyPrefix()).isEqualTo("other");
		// another Redis than the stack's: not the stack's user either
		assertThat(endpoints.redisUser()).isNull();
		assertThat(endpoints.redisPassword()).isNull();
	}

	@Test
	void shouldTakeARedisClusterFromTheServicesVariableOrItsFlagAndNotTheStacksUser() throws IOException {
		writeStack();
		ConnectionOptions options = new ConnectionOptions();

		Endpoints fromEnvironment = resolve(Map.of("SPRING_DATA_REDIS_CLUSTER_NODES", "redis-1:7000, redis-2:7001"), options);
		options.redisClusterNodes = "10.0.0.1:7000";
		Endpoints fromFlag = resolve(Map.of("SPRING_DATA_REDIS_CLUSTER_NODES", "redis-1:7000"), options);

		assertThat(fromEnvironment.redisClusterSeeds()).containsExactly("redis-1:7000", "redis-2:7001");
		assertThat(fromEnvironment.describe()).contains("Redis Cluster redis-1:7000,redis-2:7001");
		// another Redis than the stack's: not the stack's user either
		assertThat(fromEnvironment.redisUser()).isNull();
		assertThat(fromFlag.redisClusterSeeds()).containsExactly("10.0.0.1:7000");
		assertThat(resolve(Map.of(), new ConnectionOptions()).redisClusterNodes()).as("a single Redis by default").isNull();
		options.redisClusterNodes = "redis-1";
		assertThatThrownBy(() -> resolve(Map.of(), options)).isInstanceOf(OpsException.class).hasMessageContaining("host:port");
	}

	@Test
	void shouldTakeALocalClusterStacksNodesWithItsOpsUser() throws IOException {
		Files.createDirectories(this.home.resolve(".freshline"));
		Files.writeString(this.home.resolve(".freshline/local-stack.json"), """
				{"kafka":{"bootstrapServers":"127.0.0.1:40001,127.0.0.1:40011"},"redis":{"host":"127.0.0.1","port":40002,
				 "clusterNodes":["127.0.0.1:40002","127.0.0.1:40012"],
				 "users":{"ops":{"user":"ops","password":"ops-secret"}}}}""");

		Endpoints stack = resolve(Map.of(), new ConnectionOptions());
		Endpoints own = resolve(Map.of("SPRING_DATA_REDIS_CLUSTER_NODES", "redis-1:7000"), new ConnectionOptions());

		assertThat(stack.redisClusterSeeds()).containsExactly("127.0.0.1:40002", "127.0.0.1:40012");
		assertThat(stack.redisUser()).isEqualTo("ops");
		assertThat(stack.bootstrapServers()).isEqualTo("127.0.0.1:40001,127.0.0.1:40011");
		assertThat(own.redisClusterSeeds()).containsExactly("redis-1:7000");
		assertThat(own.redisUser()).isNull();
	}

	@Test
	void shouldLogInAsTheLocalStacksOpsUserWithItsPassword() throws IOException {
		writeStack();

		Endpoints endpoints = resolve(Map.of(), new ConnectionOptions());

		assertThat(endpoints.redisUser()).isEqualTo("ops");
		assertThat(endpoints.redisPassword()).isEqualTo("ops-secret");
		assertThat(endpoints.describe()).contains("as ops").doesNotContain("ops-secret");
		assertThat(endpoints.toString()).doesNotContain("ops-secret");
	}

	@Test
	void shouldTakeTheRedisPasswordOfANamedUserOnlyFromTheEnvironment() throws IOException {
		writeStack();
		ConnectionOptions options = new ConnectionOptions();
		options.redisUser = "someone";

		Endpoints withoutPassword = resolve(Map.of(), options);
		Endpoints fromEnvironment = resolve(Map.of("REDIS_USERNAME", "ops2", "REDIS_PASSWORD", "p2"), new ConnectionOptions());

		assertThat(withoutPassword.redisUser()).isEqualTo("someone");
		assertThat(withoutPassword.redisPassword()).isNull();
		assertThat(fromEnvironment.redisUser()).isEqualTo("ops2");
		assertThat(fromEnvironment.redisPassword()).isEqualTo("p2");
	}

	@Test
	void shouldFallBackToTheServicesLocalhostDefaults() {
		Endpoints endpoints = resolve(Map.of(), new ConnectionOptions());

		assertThat(endpoints.bootstrapServers()).isEqualTo("localhost:9092");
		assertThat(endpoints.redisHost()).isEqualTo("localhost");
		assertThat(endpoints.redisPort()).isEqualTo(6379);
		assertThat(endpoints.rulesLocation()).isEqualTo("classpath:freshline-rules.yml");
		assertThat(endpoints.redisUser()).isNull();
		assertThat(endpoints.redisPassword()).isNull();
	}

	@Test
	void shouldRefuseAPortThatIsNotANumber() {
		assertThatThrownBy(() -> resolve(Map.of("REDIS_PORT", "six"), new ConnectionOptions()))
			.isInstanceOf(OpsException.class)
			.hasMessage("Redis port must be a number but was 'six'");
	}

	@Test
	void shouldResolvePostgresLikeTheOtherEndpoints() throws IOException {
		writeStack();
		Ops ops = new Ops(Map.of("SIGNAL_DB_PASSWORD", "s3cret"), this.home, Clock.systemUTC(), false);

		ConnectionOptions.Postgres fromStack = new ConnectionOptions().postgres(ops, null, null);
		ConnectionOptions.Postgres fromFlags = new ConnectionOptions().postgres(ops, "jdbc:postgresql://db:5432/x", "me");

		assertThat(fromStack.jdbcUrl()).isEqualTo("jdbc:postgresql://127.0.0.1:40000/freshline");
		assertThat(fromStack.user()).isEqualTo("freshline_signal");
		assertThat(fromStack.password()).isEqualTo("s3cret");
		assertThat(fromStack.toString()).doesNotContain("s3cret");
		assertThat(fromFlags.jdbcUrl()).isEqualTo("jdbc:postgresql://db:5432/x");
		assertThat(fromFlags.user()).isEqualTo("me");
	}

	@Test
	void shouldResolveTheInspectRoleFromItsOwnVariablesAndStackFields() throws IOException {
		writeStack();
		Ops fromStack = new Ops(Map.of(), this.home, Clock.systemUTC(), false);
		Ops fromEnvironment = new Ops(Map.of("INSPECT_DB_USER", "auditor", "INSPECT_DB_PASSWORD", "env-secret",
				"SIGNAL_DB_PASSWORD", "signal-secret"), this.home, Clock.systemUTC(), false);

		ConnectionOptions.Postgres stack = new ConnectionOptions().postgres(fromStack, null, null,
				ConnectionOptions.PostgresRole.INSPECT);
		ConnectionOptions.Postgres environment = new ConnectionOptions().postgres(fromEnvironment, null, null,
				ConnectionOptions.PostgresRole.INSPECT);

		assertThat(stack.user()).isEqualTo("freshline_inspect");
		assertThat(stack.password()).isEqualTo("inspect-secret");
		assertThat(environment.user()).isEqualTo("auditor");
		// never the signal role's password, which the same environment holds
		assertThat(environment.password()).isEqualTo("env-secret");
	}

	@Test
	void shouldBuildThePostgresUrlFromTheServicesEnvironment() {
		Ops ops = new Ops(Map.of("POSTGRES_HOST", "postgres", "POSTGRES_DB", "other"), this.home, Clock.systemUTC(), false);

		assertThat(new ConnectionOptions().postgres(ops, null, null).jdbcUrl())
			.isEqualTo("jdbc:postgresql://postgres:5432/other");
	}

	private void writeStack() throws IOException {
		Files.createDirectories(this.home.resolve(".freshline"));
		Files.writeString(this.home.resolve(".freshline/local-stack.json"), """
				{"postgres":{"jdbcUrl":"jdbc:postgresql://127.0.0.1:40000/freshline","host":"127.0.0.1","port":40000,
				 "database":"freshline","user":"freshline","password":"secret","inspectUser":"freshline_inspect",
				 "inspectPassword":"inspect-secret"},
				 "kafka":{"bootstrapServers":"127.0.0.1:40001"},"redis":{"host":"127.0.0.1","port":40002,
				 "users":{"api":{"user":"api","password":"api-secret"},"ops":{"user":"ops","password":"ops-secret"}}},
				 "api":["http://127.0.0.1:40003"],"processes":{"launcher":1}}""");
	}

	private Endpoints resolve(Map<String, String> environment, ConnectionOptions options) {
		return options.resolve(new Ops(environment, this.home, Clock.systemUTC(), false));
	}
}
