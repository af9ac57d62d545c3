package dev.freshline.bench;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.freshline.embedded.ProcessStop;
import dev.freshline.embedded.FreePorts;
import dev.freshline.embedded.ServiceEnvironment;

/**
 * An extra instance of one of the stack's services, started beside it, that runs the service's
 * own command line and environment, read from /proc (the launcher hands the services passwords
 * the tools are never told), on a port of its own, with the variables asked for changed: a copy of
 * api-1 with the fence on or off ({@link FenceCost}), a second invalidator in the group
 * ({@code scripts/chaos}). The launcher does not know the copy; {@link #close()} (or the JVM's
 * exit) stops it.
 */
public final class ServiceCopy implements AutoCloseable {

	private static final Duration START_TIMEOUT = Duration.ofMinutes(3);

	private final String name;

	private final Process process;

	private final String baseUrl;

	private final String managementUrl;

	private final Path log;

	private ServiceCopy(String name, Process process, String baseUrl, String managementUrl, Path log) {
		this.name = name;
		this.process = process;
		this.baseUrl = baseUrl;
		this.managementUrl = managementUrl;
		this.log = log;
	}

	/**
	 * Starts a copy of the process {@code template} (a service's pid) named {@code name}, with
	 * {@code variables} set in its environment; {@link #awaitHealthy} waits for it, so that two
	 * copies can start side by side.
	 */
	public static ServiceCopy start(long template, String name, Map<String, String> variables, Path logs)
			throws IOException {
		List<String> command = new ArrayList<>();
		for (String argument : nulSeparated(Path.of("/proc", Long.toString(template), "cmdline"))) {
			command.add(argument.startsWith("-Dfreshline.instance=") ? "-Dfreshline.instance=" + name : argument);
		}
		Map<String, String> environment = new LinkedHashMap<>();
		for (String variable : nulSeparated(Path.of("/proc", Long.toString(template), "environ"))) {
			int equals = variable.indexOf('=');
			if (equals > 0) {
				environment.put(variable.substring(0, equals), variable.substring(equals + 1));
			}
		}
		int port = FreePorts.find();
		int managementPort = FreePorts.find();
		environment.put(ServiceEnvironment.SERVER_PORT, Integer.toString(port));
		environment.put(ServiceEnvironment.MANAGEMENT_SERVER_PORT, Integer.toString(managementPort));
		environment.putAll(variables);
		Files.createDirectories(logs);
		Path log = logs.resolve(name + ".log");
		ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
			.redirectOutput(ProcessBuilder.Redirect.to(log.toFile()));
		builder.environment().clear();
		builder.environment().putAll(environment);
		ServiceCopy copy = new ServiceCopy(name, builder.start(), "http://127.0.0.1:" + port,
				"http://127.0.0.1:" + managementPort, log);
		// the tools exit with System.exit: never leave a JVM the launcher does not know about
		Runtime.getRuntime().addShutdownHook(new Thread(copy::close, "stop-" + name));
		return copy;
	}

	private static List<String> nulSeparated(Path file) throws IOException {
		String text = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
		List<String> parts = new ArrayList<>(List.of(text.split("\0")));
		parts.removeIf(String::isEmpty);
		return parts;
	}

	/** Waits until its health, on its management port, answers 200. */
	public void awaitHealthy(BenchHttp http) throws Exception {
		Path log = this.log;
		long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
		while (System.nanoTime() < deadline) {
			if (!this.process.isAlive()) {
				throw new IllegalStateException(this.name + " exited with " + this.process.exitValue() + "; see " + log);
			}
			try {
				HttpResponse<String> health = http.getWithoutToken(this.managementUrl + "/actuator/health");
				if (health.statusCode() == 200) {
					return;
				}
			}
			catch (IOException notYetListening) {
				// the port opens once the context is up
			}
			this.process.waitFor(200, TimeUnit.MILLISECONDS);
		}
		throw new IllegalStateException(this.name + " not healthy after " + START_TIMEOUT.toSeconds() + " s; see " + log);
	}

	String name() {
		return this.name;
	}

	String baseUrl() {
		return this.baseUrl;
	}

	String managementUrl() {
		return this.managementUrl;
	}

	public long pid() {
		return this.process.pid();
	}

	@Override
	public void close() {
		ProcessStop.stop(this.process, Duration.ofSeconds(30));
	}
}
