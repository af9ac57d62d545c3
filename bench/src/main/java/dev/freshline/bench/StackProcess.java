package dev.freshline.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.lettuce.core.RedisURI;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.freshline.embedded.ProcessStop;

/**
 * One run of the launcher ({@code launcher/target/launcher-exec.jar}) as a child process, in its
 * own state directory so that a stack the user runs from {@code .freshline} is left alone. Its endpoints come from the
 * {@code local-stack.json} it writes once every service is healthy; SIGTERM stops it, services first.
 */
public final class StackProcess implements AutoCloseable {

	private static final String LAUNCHER_JAR = "launcher/target/launcher-exec.jar";

	private static final Duration START_TIMEOUT = Duration.ofMinutes(5);

	private final Process process;

	private final JsonNode info;

	private final Path state;

	private final Duration startup;

	private StackProcess(Process process, JsonNode info, Path state, Duration startup) {
		this.process = process;
		this.info = info;
		this.state = state;
		this.startup = startup;
	}

	public static StackProcess start(Path home, Path state, Map<String, String> environment) throws Exception {
		Files.createDirectories(state);
		Path infoFile = state.resolve("local-stack.json");
		// a launcher killed with SIGKILL leaves its file behind: never read a previous run's endpoints
		Files.deleteIfExists(infoFile);
		Path jar = home.resolve(LAUNCHER_JAR);
		List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
				"-Dfreshline.home=" + home, "-Dfreshline.state=" + state, "-jar", jar.toString()));
		ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
			.redirectOutput(ProcessBuilder.Redirect.to(state.resolve("launcher.out").toFile()));
		builder.environment().putAll(environment);
		long started = System.nanoTime();
		Process process = builder.start();
		long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
		while (!Files.exists(infoFile) || Files.size(infoFile) == 0) {
			if (!process.isAlive() || System.nanoTime() > deadline) {
				stop(process);
				List<String> output = Files.readAllLines(state.resolve("launcher.out"));
				throw new IllegalStateException("the local stack did not start ("
						+ String.join(" | ", output.subList(Math.max(0, output.size() - 3), output.size())).strip() + "); see "
						+ state.resolve("launcher.out") + " and " + state.resolve("logs"));
			}
			process.waitFor(250, TimeUnit.MILLISECONDS);
		}
		// the launcher creates the file and then writes it: read once the JSON is complete
		JsonNode info = null;
		while (info == null) {
			try {
				info = JsonMapper.builder().build().readTree(Files.readString(infoFile));
			}
			catch (RuntimeException incomplete) {
				process.waitFor(100, TimeUnit.MILLISECONDS);
			}
		}
		return new StackProcess(process, info, state, Duration.ofNanos(System.nanoTime() - started));
	}

	/** From starting the launcher's JVM to every service healthy and local-stack.json written. */
	public Duration startup() {
		return this.startup;
	}

	public String api(int index) {
		return this.info.path("api").get(index).asString();
	}

	/** The actuator base URL of API instance {@code index} (0 for api-1), on its management port. */
	public String apiManagement(int index) {
		return management("api-" + (index + 1));
	}

	/** The actuator base URL of the service the launcher named {@code service}, e.g. {@code invalidator}. */
	public String management(String service) {
		String url = this.info.path("management").path(service).asString("");
		if (url.isEmpty()) {
			throw new IllegalStateException("local-stack.json gives no management URL for " + service);
		}
		return url;
	}

	/**
	 * The pid {@code local-stack.json} gives {@code name} now: the launcher rewrites the file when it
	 * restarts a process, so a pid read at start would name a dead process after a crash.
	 */
	public long pid(String name) {
		try {
			return JsonMapper.builder().build().readTree(Files.readString(this.state.resolve("local-stack.json")))
				.path("processes").path(name).asLong();
		}
		catch (IOException | RuntimeException unreadable) {
			// replaced in one rename, so unreadable only once the stack stops
			return this.info.path("processes").path(name).asLong();
		}
	}

	/** Every process {@code local-stack.json} names, by name, as the launcher started them. */
	public Map<String, Long> processes() {
		Map<String, Long> pids = new java.util.LinkedHashMap<>();
		this.info.path("processes").properties().forEach((entry) -> pids.put(entry.getKey(), entry.getValue().asLong()));
		return pids;
	}

	/** The launcher's state directory: its console output ({@code launcher.out}) and the services' logs. */
	public Path state() {
		return this.state;
	}

	/** The run's token with patients.read and formulary.read. */
	public String readerToken() {
		return this.info.path("auth").path("readerToken").asString();
	}

	/** The run's token with admin and both read scopes. */
	public String adminToken() {
		return this.info.path("auth").path("adminToken").asString();
	}

	public String jdbcUrl() {
		return this.info.path("postgres").path("jdbcUrl").asString();
	}

	public String databaseUser() {
		return this.info.path("postgres").path("user").asString();
	}

	public String databasePassword() {
		return this.info.path("postgres").path("password").asString();
	}

	/** The launcher's Redis, as the harness user ({@link HarnessRedis}). */
	public RedisURI redisUri() {
		return HarnessRedis.uri(this.info);
	}

	/** Each node of the stack's Redis Cluster as the harness user, in the launcher's order; empty for one Redis. */
	public List<RedisURI> redisClusterNodes() {
		List<RedisURI> nodes = new ArrayList<>();
		for (JsonNode node : this.info.path("redis").path("clusterNodes")) {
			String address = node.asString();
			int colon = address.lastIndexOf(':');
			nodes.add(HarnessRedis.uri(this.info, address.substring(0, colon), Integer.parseInt(address.substring(colon + 1))));
		}
		return nodes;
	}

	public String kafka() {
		return this.info.path("kafka").path("bootstrapServers").asString();
	}

	/**
	 * {@code settings} plus the bootstrap servers and, on a stack whose broker requires SASL, the
	 * login of its {@code harness} principal (local stacks only: it may inject poison records and
	 * delete records, which no component may).
	 */
	public Map<String, Object> kafkaClient(Map<String, Object> settings) {
		Map<String, Object> client = new HashMap<>(settings);
		client.put("bootstrap.servers", kafka());
		JsonNode harness = this.info.path("kafka").path("users").path("harness");
		if (!harness.isMissingNode()) {
			client.put("security.protocol", "SASL_PLAINTEXT");
			client.put("sasl.mechanism", this.info.path("kafka").path("saslMechanism").asString());
			client.put("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
					+ harness.path("user").asString() + "\" password=\"" + harness.path("password").asString() + "\";");
		}
		return client;
	}

	@Override
	public void close() {
		stop(this.process);
	}

	private static void stop(Process process) {
		// SIGTERM: the launcher's hook stops the services, then the servers, then removes its data
		ProcessStop.stop(process, Duration.ofMinutes(2));
	}

	public static void requireJar(Path home) throws IOException {
		if (!Files.isRegularFile(home.resolve(LAUNCHER_JAR))) {
			throw new IllegalStateException(LAUNCHER_JAR + " is missing: build with ./mvnw -DskipTests package");
		}
	}
}
