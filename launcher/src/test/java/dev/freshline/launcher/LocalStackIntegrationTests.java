package dev.freshline.launcher;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The README's run command, end to end: the launcher starts every server and service as real
 * processes, publishes its endpoints and the run's tokens (which the API honours by their scopes),
 * serves a SQL change on the other instance, restarts the
 * invalidator after a SIGKILL, and on SIGINT (Ctrl-C) or SIGTERM leaves no process behind, also
 * when it was started with SIGINT ignored.
 */
class LocalStackIntegrationTests {

	private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

	@TempDir
	Path state;

	private Process launcher;

	/** The run's reader token, from local-stack.json: every read here presents it, as a walkthrough user would. */
	private String reader = "";

	@AfterEach
	void killLauncher() throws Exception {
		if (this.launcher != null && this.launcher.isAlive()) {
			this.launcher.destroy();
			this.launcher.waitFor(60, TimeUnit.SECONDS);
		}
	}

	@Test
	void shouldRunTheWholeSystemRestartAKilledServiceAndStopEverythingOnCtrlC() throws Exception {
		List<String> output = startLauncher();
		JsonNode stack = JsonMapper.builder().build().readTree(Files.readString(this.state.resolve("local-stack.json")));
		assertThat(stack.path("postgres").propertyNames()).contains("jdbcUrl", "host", "port", "database", "user",
				"password");
		assertThat(stack.path("kafka").path("bootstrapServers").asString()).startsWith("127.0.0.1:");
		assertThat(stack.path("kafka").path("saslMechanism").asString()).isEqualTo("SCRAM-SHA-512");
		// one principal per component; the broker's own super user stays with the broker
		assertThat(stack.path("kafka").path("users").propertyNames()).containsExactlyInAnyOrder("connector",
				"invalidator", "ops", "harness");
		stack.path("kafka").path("users").properties().forEach((user) -> {
			assertThat(user.getValue().path("user").asString()).isEqualTo("freshline-" + user.getKey());
			assertThat(user.getValue().path("password").asString()).hasSizeGreaterThanOrEqualTo(24);
		});
		assertThat(stack.path("redis").path("port").asInt()).isPositive();
		assertThat(stack.path("api")).hasSize(2);
		String api1 = stack.path("api").get(0).asString();
		String api2 = stack.path("api").get(1).asString();

		assertTheRunsTokensWork(stack, api1, output);
		assertActuatorsOnManagementPortsOnly(stack, api1);
		assertStatusPage(stack, output);
		assertThat(get(api1 + "/patients/77")).contains("\"version\":1");
		assertRedisUsers(stack);
		// through the cache as the api user: a miss fills (READ, FILL scripts), the next read hits
		// (the fence may bypass the cache until the first watermarks arrive: then neither)
		List<String> outcomes = new CopyOnWriteArrayList<>();
		await().atMost(Duration.ofSeconds(30)).until(() -> {
			outcomes.add(cacheOutcome(exchange(api1 + "/patients/79")));
			return outcomes.get(outcomes.size() - 1).equals("hit");
		});
		assertThat(outcomes).contains("miss");
		JsonNode postgres = stack.path("postgres");
		try (Connection sql = DriverManager.getConnection(postgres.path("jdbcUrl").asString(),
				postgres.path("user").asString(), postgres.path("password").asString());
				Statement update = sql.createStatement()) {
			update.executeUpdate("UPDATE patient SET ward = 'ward-launch' WHERE id = 77");
		}
		await().atMost(Duration.ofSeconds(30))
			.untilAsserted(() -> assertThat(get(api2 + "/patients/77")).contains("\"ward\":\"ward-launch\""));

		List<ProcessHandle> started = new ArrayList<>();
		stack.path("processes").properties().forEach((entry) -> ProcessHandle.of(entry.getValue().asLong()).ifPresent(started::add));
		assertThat(started).hasSizeGreaterThanOrEqualTo(7);

		// supervision: a change committed while the invalidator is dead is applied by its successor
		await().atMost(Duration.ofSeconds(30)).until(() -> cacheOutcome(exchange(api1 + "/patients/78")).equals("hit"));
		long killed = stack.path("processes").path("invalidator").asLong();
		long killedAt = System.nanoTime();
		new ProcessBuilder("kill", "-KILL", Long.toString(killed)).start().waitFor();
		try (Connection sql = DriverManager.getConnection(postgres.path("jdbcUrl").asString(),
				postgres.path("user").asString(), postgres.path("password").asString());
				Statement update = sql.createStatement()) {
			update.executeUpdate("UPDATE patient SET ward = 'ward-after-kill' WHERE id = 78");
		}
		await().atMost(Duration.ofMinutes(3)).until(() -> output.stream()
			.anyMatch((line) -> line.startsWith("invalidator restarted as pid ") && line.contains("healthy again")));
		assertThat(output).anyMatch((line) -> line.startsWith("invalidator (pid " + killed + ") killed by SIGKILL")
				&& line.contains("restart #1"));
		JsonNode restarted = JsonMapper.builder().build().readTree(Files.readString(this.state.resolve("local-stack.json")));
		long successor = restarted.path("processes").path("invalidator").asLong();
		assertThat(successor).isNotEqualTo(killed);
		assertThat(ProcessHandle.of(successor).map(ProcessHandle::isAlive)).contains(true);
		assertThat(output).anyMatch((line) -> line.startsWith("invalidator restarted as pid " + successor));
		ProcessHandle.of(successor).ifPresent(started::add);
		// not a bypass: the fence would read Postgres whatever the invalidator did; a hit or miss
		// with the new ward means the cached row was deleted. The successor's consumers are static
		// members under the killed ones' instance ids, so they take the partitions back at once
		// instead of after the group expired the killed ones (session.timeout.ms, 45 s)
		await().atMost(Duration.ofMinutes(2)).untilAsserted(() -> {
			HttpResponse<String> read = exchange(api2 + "/patients/78");
			assertThat(read.body()).contains("\"ward\":\"ward-after-kill\"");
			assertThat(cacheOutcome(read)).isIn("hit", "miss");
		});
		// ops may describe the invalidator's group; the connector may not even see it
		try (Admin connector = Admin.create(kafkaLogin(stack, "connector"))) {
			assertThatThrownBy(() -> connector.describeConsumerGroups(List.of("freshline-invalidator"))
				.describedGroups().get("freshline-invalidator").get(10, TimeUnit.SECONDS))
				.hasCauseInstanceOf(GroupAuthorizationException.class);
		}
		assertNoSecretInLogsOrCommandLines(stack, started, output);
		try (Admin admin = Admin.create(kafkaLogin(stack, "ops"))) {
			ConsumerGroupDescription group = admin.describeConsumerGroups(List.of("freshline-invalidator"))
				.describedGroups().get("freshline-invalidator").get(10, TimeUnit.SECONDS);
			// one consumer (the launcher's INVALIDATOR_CONCURRENCY): a killed member still in the
			// group beside its successor would make two
			assertThat(group.members()).as("the successor's consumer replaced the killed one")
				.hasSize(1)
				.allSatisfy((member) -> assertThat(member.groupInstanceId()).hasValueSatisfying(
						(id) -> assertThat(id).startsWith("invalidator-1")));
		}
		System.out.printf("Reads went through the cache again %d s after the invalidator was killed%n",
				Duration.ofNanos(System.nanoTime() - killedAt).toSeconds());
		output.stream().filter((line) -> line.startsWith("invalidator ")).forEach(System.out::println);

		// started with SIGINT ignored (see startLauncher), so this also proves the wrapper; to the
		// whole process group, as Ctrl-C in a terminal: services and broker get it too
		assertStopsEverything("INT", -this.launcher.pid(), started, output);
	}

	@Test
	void shouldRestartAKilledKafkaBrokerWithItsDataAndAKilledRedisEmptyAndStopEverythingOnSigterm() throws Exception {
		List<String> output = startLauncher();
		JsonNode stack = JsonMapper.builder().build().readTree(Files.readString(this.state.resolve("local-stack.json")));
		this.reader = stack.path("auth").path("readerToken").asString();
		List<ProcessHandle> started = new ArrayList<>();
		stack.path("processes").properties().forEach((entry) -> ProcessHandle.of(entry.getValue().asLong()).ifPresent(started::add));
		assertThat(started).hasSizeGreaterThanOrEqualTo(8);
		long broker = stack.path("processes").path("kafka").asLong();
		assertThat(broker).isPositive().isNotEqualTo(this.launcher.pid());

		// the broker is a process of its own: killed, it comes back on its port with its topics
		String api1 = stack.path("api").get(0).asString();
		String api2 = stack.path("api").get(1).asString();
		await().atMost(Duration.ofSeconds(30)).until(() -> cacheOutcome(exchange(api1 + "/patients/79")).equals("hit"));
		started.add(killAndAwaitSuccessor("kafka", broker, output, Duration.ofMinutes(2)));
		JsonNode postgres = stack.path("postgres");
		try (Connection sql = DriverManager.getConnection(postgres.path("jdbcUrl").asString(),
				postgres.path("user").asString(), postgres.path("password").asString());
				Statement update = sql.createStatement()) {
			update.executeUpdate("UPDATE patient SET ward = 'ward-after-broker' WHERE id = 79");
		}
		long changed = System.nanoTime();
		await().atMost(Duration.ofMinutes(2)).untilAsserted(() -> {
			HttpResponse<String> read = exchange(api2 + "/patients/79");
			assertThat(read.body()).contains("\"ward\":\"ward-after-broker\"");
			assertThat(cacheOutcome(read)).isIn("hit", "miss");
		});
		System.out.printf("After the broker's restart a change was invalidated within %d s%n",
				Duration.ofNanos(System.nanoTime() - changed).toSeconds());

		// Redis too: killed, it comes back on its port, empty, and reads go through the cache again
		long redis = stack.path("processes").path("redis").asLong();
		assertThat(redis).isPositive();
		started.add(killAndAwaitSuccessor("redis", redis, output, Duration.ofMinutes(1)));
		await().atMost(Duration.ofMinutes(1)).until(() -> {
			exchange(api1 + "/patients/80");
			return cacheOutcome(exchange(api1 + "/patients/80")).equals("hit");
		});
		output.stream().filter((line) -> line.contains("restart")).forEach(System.out::println);

		assertStopsEverything("TERM", this.launcher.pid(), started, output);
	}

	/** {@code name}'s login to the stack's broker, as local-stack.json gives it (ops and the harness read it so). */
	private static Map<String, Object> kafkaLogin(JsonNode stack, String name) {
		JsonNode kafka = stack.path("kafka");
		JsonNode user = kafka.path("users").path(name);
		return Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.path("bootstrapServers").asString(),
				"security.protocol", "SASL_PLAINTEXT", "sasl.mechanism", kafka.path("saslMechanism").asString(),
				"sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
						+ user.path("user").asString() + "\" password=\"" + user.path("password").asString() + "\";");
	}

	/**
	 * Passwords go through the environment ({@code ps} shows arguments) and no log holds a password
	 * or token of the run: every password the launcher gave a service (read from the service's own
	 * environment, so the database roles' too, which local-stack.json does not list), every one in
	 * local-stack.json, and both tokens, in every log under the state directory (the Kafka broker's
	 * topic segments too) and in the launcher's output (which prints the tokens, and nothing else
	 * secret).
	 */
	private void assertNoSecretInLogsOrCommandLines(JsonNode stack, List<ProcessHandle> processes, List<String> output)
			throws Exception {
		Set<String> passwords = new TreeSet<>();
		JsonNode postgres = stack.path("postgres");
		passwords.addAll(List.of(postgres.path("password").asString(), postgres.path("signalPassword").asString(),
				postgres.path("inspectPassword").asString()));
		for (String server : List.of("redis", "kafka")) {
			stack.path(server).path("users").properties()
				.forEach((user) -> passwords.add(user.getValue().path("password").asString()));
		}
		Map<String, Set<String>> passwordVariables = new TreeMap<>();
		for (String service : List.of("api-1", "api-2", "invalidator", "cdc-connector", "kafka")) {
			long pid = JsonMapper.builder().build().readTree(Files.readString(this.state.resolve("local-stack.json")))
				.path("processes").path(service).asLong();
			for (String variable : Files.readString(Path.of("/proc", Long.toString(pid), "environ")).split("\0")) {
				if (variable.contains("PASSWORD=")) {
					passwords.add(variable.substring(variable.indexOf('=') + 1));
					passwordVariables.computeIfAbsent(service, (name) -> new TreeSet<>())
						.add(variable.substring(0, variable.indexOf('=')));
				}
			}
		}
		// least privilege: each service holds the logins it uses and no other's
		assertThat(passwordVariables.get("api-1")).containsExactly("API_DB_PASSWORD", "MIGRATION_DB_PASSWORD",
				"REDIS_PASSWORD");
		assertThat(passwordVariables.get("invalidator")).containsExactly("INVALIDATOR_DB_PASSWORD", "KAFKA_PASSWORD",
				"REDIS_PASSWORD");
		assertThat(passwordVariables.get("cdc-connector")).containsExactly("CDC_DB_PASSWORD", "KAFKA_PASSWORD");
		assertThat(passwords).as("the database roles' passwords, from the services' environments")
			.hasSizeGreaterThanOrEqualTo(2 + 4 + 4 + 3);
		passwords.forEach((password) -> assertThat(password).hasSizeGreaterThanOrEqualTo(16));
		List<String> tokens = List.of(stack.path("auth").path("readerToken").asString(),
				stack.path("auth").path("adminToken").asString());

		for (ProcessHandle process : processes) {
			String commandLine = process.info().commandLine().orElse("");
			assertThat(passwords.stream().filter(commandLine::contains).count())
				.as("passwords in the command line of %s", process.pid()).isZero();
		}
		List<Path> logs;
		try (var files = Files.walk(this.state)) {
			logs = files.filter((file) -> file.getFileName().toString().endsWith(".log")).toList();
		}
		assertThat(logs).extracting((log) -> log.getFileName().toString())
			.contains("api-1.log", "api-2.log", "invalidator.log", "cdc-connector.log", "kafka.log", "redis.log");
		assertThat(logs).as("the change topics' segments: a topic holds no secret either")
			.anyMatch((log) -> log.getParent().getFileName().toString().startsWith("freshline.public.patient-"));
		for (Path log : logs) {
			// byte for byte: a Kafka segment (also named .log) is binary, the secrets are ASCII
			String text = Files.readString(log, StandardCharsets.ISO_8859_1);
			// counted, not listed: a failure must not print this run's secrets into the build's output
			assertThat(passwords.stream().filter(text::contains).count()).as("passwords in %s", log).isZero();
			assertThat(tokens.stream().filter(text::contains).count()).as("tokens in %s", log).isZero();
		}
		String printed = String.join("\n", output);
		assertThat(passwords.stream().filter(printed::contains).count()).as("passwords in the launcher's output").isZero();
	}

	/** What a Prometheus scrape of each service must find: the series dashboards and alerts query. */
	private static final Map<String, List<String>> SCRAPED = Map.of(
			"api", List.of("freshline_cache_requests_total", "freshline_pipeline_staleness_seconds",
					"freshline_fills_rejected_total", "freshline_lease_waits_total"),
			"invalidator", List.of("freshline_invalidation_lag_seconds_bucket", "freshline_namespace_flushes_total",
					"freshline_dead_lettered_total", "freshline_offset_resets_total", "freshline_inspector_checked_total",
					"freshline_inspector_inconsistent_total"),
			"cdc-connector", List.of("freshline_events_published_total", "freshline_slot_retained_wal_bytes"));

	/**
	 * Health details and metrics of every service on its management port, on loopback and without
	 * a token, metrics in Prometheus' form too; the API's own port serves its probes and nothing
	 * else of the actuator.
	 */
	private void assertActuatorsOnManagementPortsOnly(JsonNode stack, String api) throws Exception {
		JsonNode management = stack.path("management");
		assertThat(management.propertyNames()).containsExactlyInAnyOrder("api-1", "api-2", "invalidator",
				"cdc-connector");
		Set<String> exposed = new TreeSet<>();
		for (var service : management.properties()) {
			String url = service.getValue().asString();
			assertThat(url).startsWith("http://127.0.0.1:");
			HttpResponse<String> health = send("GET", url + "/actuator/health", null, null);
			assertThat(health.statusCode()).as("%s health", service.getKey()).isEqualTo(200);
			assertThat(health.body()).as("%s health details", service.getKey()).contains("\"components\"");
			assertThat(send("GET", url + "/actuator/metrics", null, null).statusCode()).as("%s metrics", service.getKey())
				.isEqualTo(200);
			HttpResponse<String> scrape = send("GET", url + "/actuator/prometheus", null, null);
			assertThat(scrape.statusCode()).as("%s prometheus", service.getKey()).isEqualTo(200);
			List<String> series = scrape.body().lines().filter((line) -> !line.startsWith("#"))
				.map((line) -> line.split("[{ ]", 2)[0]).distinct().toList();
			assertThat(series).as("%s series", service.getKey())
				.containsAll(SCRAPED.get(service.getKey().replaceFirst("^api-\\d$", "api")));
			exposed.addAll(series);
		}
		assertThat(exposed).as("what the dashboard and the alert rules query").containsAll(ObservabilityFilesTests.seriesQueried());
		String admin = stack.path("auth").path("adminToken").asString();
		assertThat(send("GET", api + "/actuator/health", admin, null).statusCode()).as("the API's port, admin token")
			.isEqualTo(403);
		assertThat(send("GET", api + "/readyz", null, null).statusCode()).as("the readiness probe").isEqualTo(200);
	}

	/** The launcher prints api-1's status page, and the page's figures include the running invalidator's. */
	private void assertStatusPage(JsonNode stack, List<String> output) throws Exception {
		String page = stack.path("management").path("api-1").asString() + "/status";
		assertThat(output).anyMatch((line) -> line.startsWith("  status page    " + page + " "));
		assertThat(send("GET", page, null, null).statusCode()).isEqualTo(200);
		await("the invalidator's figures on the page").until(
				() -> JsonMapper.builder().build().readTree(send("GET", page + ".json", null, null).body()).path("invalidators").size() == 1);
	}

	/**
	 * Each component's Redis user is in the endpoints file; the api user may not flush, nobody
	 * gets in without a user, and no password is in a process' command line (ps shows those).
	 */
	private void assertRedisUsers(JsonNode stack) throws Exception {
		JsonNode redis = stack.path("redis");
		assertThat(redis.path("users").propertyNames()).containsExactlyInAnyOrder("api", "invalidator", "ops", "harness");
		List<String> passwords = new ArrayList<>();
		redis.path("users").properties().forEach((user) -> {
			assertThat(user.getValue().path("user").asString()).isEqualTo(user.getKey());
			assertThat(user.getValue().path("password").asString()).hasSizeGreaterThanOrEqualTo(32);
			passwords.add(user.getValue().path("password").asString());
		});
		assertThat(Files.getPosixFilePermissions(this.state.resolve("run/redis/users.acl")))
			.containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
		RedisClient client = RedisClient.create();
		try {
			RedisURI api = RedisURI.builder()
				.withHost(redis.path("host").asString())
				.withPort(redis.path("port").asInt())
				.withAuthentication("api", redis.path("users").path("api").path("password").asString().toCharArray())
				.build();
			try (StatefulRedisConnection<String, String> connection = client.connect(api)) {
				assertThatThrownBy(() -> connection.sync().flushall()).hasMessageStartingWith("NOPERM");
			}
			RedisURI anonymous = RedisURI.create("redis://" + redis.path("host").asString() + ":" + redis.path("port").asInt());
			// refused: Lettuce reports the NOAUTH reply to its HELLO, or only that the handshake broke
			// off (RedisUsersIntegrationTests pins the NOAUTH reply itself on a plain socket)
			assertThatExceptionOfType(RedisConnectionException.class).isThrownBy(() -> client.connect(anonymous));
		}
		finally {
			client.shutdown();
		}
		for (String process : List.of("redis", "api-1", "invalidator")) {
			String commandLine = Files.readString(Path.of("/proc", Long.toString(stack.path("processes").path(process).asLong()), "cmdline"));
			assertThat(passwords).as("passwords in the command line of %s", process).noneMatch(commandLine::contains);
		}
	}

	/**
	 * The tokens of local-stack.json, as the README uses them: the reader's reads and is refused a
	 * write (403), the admin's writes, no token is 401; both were printed.
	 */
	private void assertTheRunsTokensWork(JsonNode stack, String api, List<String> output) throws Exception {
		JsonNode auth = stack.path("auth");
		this.reader = auth.path("readerToken").asString();
		String admin = auth.path("adminToken").asString();
		assertThat(this.reader).isNotBlank().isNotEqualTo(admin);
		assertThat(java.time.Instant.parse(auth.path("expiresAt").asString()))
			.isBetween(java.time.Instant.now().plus(Duration.ofHours(23)), java.time.Instant.now().plus(Duration.ofHours(25)));
		String patient = "{\"mrn\":\"MRN-000081\",\"name\":\"Patient 81\",\"dateOfBirth\":\"1980-01-01\",\"ward\":\"ward-token\"}";

		assertThat(send("GET", api + "/patients/81", this.reader, null).statusCode()).isEqualTo(200);
		assertThat(send("GET", api + "/hospitals/1/formulary", this.reader, null).statusCode()).isEqualTo(200);
		assertThat(send("GET", api + "/patients/81", null, null).statusCode()).as("no token").isEqualTo(401);
		HttpResponse<String> refused = send("PUT", api + "/admin/patients/81", this.reader, patient);
		assertThat(refused.statusCode()).as("the reader token writes nothing").isEqualTo(403);
		assertThat(refused.headers().firstValue("Content-Type")).hasValue("application/problem+json");
		HttpResponse<String> written = send("PUT", api + "/admin/patients/81", admin, patient);
		assertThat(written.statusCode()).as(written.body()).isEqualTo(200);
		assertThat(written.body()).contains("\"ward\":\"ward-token\"");

		assertThat(output).anyMatch((line) -> line.contains(this.reader)).anyMatch((line) -> line.contains(admin));
	}

	/**
	 * SIGKILL of {@code name} (pid {@code killed}); the launcher must say it was killed and restarted,
	 * and local-stack.json must give the successor's pid, which is returned.
	 */
	private ProcessHandle killAndAwaitSuccessor(String name, long killed, List<String> output, Duration timeout)
			throws Exception {
		new ProcessBuilder("kill", "-KILL", Long.toString(killed)).start().waitFor();
		await().atMost(timeout).until(() -> output.stream()
			.anyMatch((line) -> line.startsWith(name + " restarted as pid ") && line.contains("healthy again")));
		assertThat(output).anyMatch((line) -> line.startsWith(name + " (pid " + killed + ") killed by SIGKILL"));
		long successor = JsonMapper.builder().build().readTree(Files.readString(this.state.resolve("local-stack.json")))
			.path("processes").path(name).asLong();
		assertThat(successor).isNotEqualTo(killed);
		return ProcessHandle.of(successor).orElseThrow();
	}

	/**
	 * Starts the launcher as a process that inherited SIGINT ignored, whatever this JVM inherited,
	 * through the wrapper that {@code scripts/run-local} uses too ({@link DefaultSigint}); returns
	 * its output so far, once it says it is up.
	 */
	private List<String> startLauncher() throws Exception {
		for (String module : List.of("api-service", "cdc-connector", "invalidator-service")) {
			assumeTrue(Files.isRegularFile(ROOT.resolve(module).resolve("target").resolve(module + "-exec.jar")),
					"service jars are built by the package phase: run ./mvnw verify");
		}
		List<String> output = new CopyOnWriteArrayList<>();
		this.launcher = new ProcessBuilder(DefaultSigint.startedWithSigintIgnored(DefaultSigint.inOwnProcessGroup(DefaultSigint.wrap(List.of(
				ProcessHandle.current().info().command().orElse("java"), "-cp", System.getProperty("java.class.path"),
				"-Dfreshline.home=" + ROOT, "-Dfreshline.state=" + this.state, LocalStack.class.getName())))))
			.redirectErrorStream(true)
			.start();
		Thread reader = new Thread(() -> readLines(this.launcher, output));
		reader.start();

		await().atMost(Duration.ofMinutes(4))
			.until(() -> output.stream().anyMatch((line) -> line.startsWith("Freshline is up")) || !this.launcher.isAlive());
		assertThat(this.launcher.isAlive()).as("launcher output:%n%s", String.join("\n", output)).isTrue();
		assertThat(output).noneMatch((line) -> line.contains("SIGINT is ignored"));
		return output;
	}

	/** Sends {@code signal} to {@code target} (a negative pid: to that process group). */
	private void assertStopsEverything(String signal, long target, List<ProcessHandle> started, List<String> output)
			throws Exception {
		assertThat(this.launcher.pid()).as("leads its own process group").isEqualTo(processGroup(this.launcher.pid()));
		new ProcessBuilder("kill", "-" + signal, "--", Long.toString(target)).start().waitFor();

		assertThat(this.launcher.waitFor(90, TimeUnit.SECONDS)).as("launcher stops on SIG" + signal).isTrue();
		await().atMost(Duration.ofSeconds(30))
			.untilAsserted(() -> assertThat(started).noneMatch(ProcessHandle::isAlive));
		assertThat(this.state.resolve("local-stack.json")).doesNotExist();
		assertThat(output).contains("Stopped.");
		// nothing the stop ended was taken for a crash
		assertThat(output.subList(output.indexOf("Stopping Freshline..."), output.size()))
			.noneMatch((line) -> line.contains("restart #"));
	}

	private static long processGroup(long pid) throws Exception {
		// /proc/<pid>/stat: pid (comm) state ppid pgrp ...; comm may hold spaces, so count from ')'
		String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
		return Long.parseLong(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[2]);
	}

	/** What a curl user with the run's reader token would see. */
	private String get(String url) throws Exception {
		return exchange(url).body();
	}

	private HttpResponse<String> exchange(String url) throws Exception {
		return send("GET", url, this.reader, null);
	}

	private static HttpResponse<String> send(String method, String url, @Nullable String token, @Nullable String json)
			throws Exception {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url))
			.timeout(Duration.ofSeconds(10))
			.header("Content-Type", "application/json")
			.method(method, (json == null) ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
		if (token != null) {
			request.header("Authorization", "Bearer " + token);
		}
		return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
	}

	private static String cacheOutcome(HttpResponse<String> response) {
		return response.headers().firstValue("Freshline-Cache").orElse("(none)");
	}

	private static void readLines(Process process, List<String> output) {
		try (BufferedReader lines = new BufferedReader(
				new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
			lines.lines().forEach(output::add);
		}
		catch (Exception ex) {
			output.add("(output closed: " + ex + ")");
		}
	}
}
