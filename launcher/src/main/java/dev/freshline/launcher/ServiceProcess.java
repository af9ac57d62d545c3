package dev.freshline.launcher;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One service running as its own JVM, its output in a log file, ready when its actuator health
 * says UP. Stopping sends SIGTERM first so Spring shuts down gracefully (the connector flushes its
 * offsets), and only then kills.
 */
final class ServiceProcess {

	private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

	private final String name;

	private final int port;

	private final Path log;

	private final Process process;

	private ServiceProcess(String name, int port, Path log, Process process) {
		this.name = name;
		this.port = port;
		this.log = log;
		this.process = process;
	}

	static ServiceProcess start(String name, Path jar, int port, Map<String, String> environment, Path logDirectory)
			throws IOException {
		if (!Files.isRegularFile(jar)) {
			throw new IllegalStateException(jar + " is missing: build first with ./mvnw -DskipTests package");
		}
		Path log = logDirectory.resolve(name + ".log");
		List<String> command = new ArrayList<>();
		command.add(ProcessHandle.current().info().command().orElse("java"));
		command.addAll(List.of(jvmOptions().split("\\s+")));
		command.addAll(List.of("-Dfreshline.instance=" + name, "-jar", jar.toString()));
		ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
			.redirectOutput(ProcessBuilder.Redirect.to(log.toFile()));
		builder.environment().putAll(environment);
		builder.environment().put("SERVER_PORT", Integer.toString(port));
		return new ServiceProcess(name, port, log, builder.start());
	}

	/**
	 * Small heaps and the serial collector suit four JVMs on a 2-core machine, and C1 alone halves
	 * each service's start-up CPU (measured: 11 s instead of 20 s), which is what a cold start of
	 * four JVMs on two cores waits for. At the local stack's rates it costs no latency (the change
	 * stream waits on poll intervals, not on compiled code). FRESHLINE_JVM_OPTS replaces these,
	 * e.g. to benchmark with full tiered compilation.
	 */
	private static String jvmOptions() {
		String options = System.getenv("FRESHLINE_JVM_OPTS");
		return (options == null || options.isBlank()) ? "-Xms64m -Xmx384m -XX:+UseSerialGC -XX:TieredStopAtLevel=1"
				: options.trim();
	}

	String name() {
		return this.name;
	}

	long pid() {
		return this.process.pid();
	}

	String baseUrl() {
		return "http://127.0.0.1:" + this.port;
	}

	Path log() {
		return this.log;
	}

	void awaitHealthy(Duration timeout) throws InterruptedException {
		Instant deadline = Instant.now().plus(timeout);
		HttpRequest health = HttpRequest.newBuilder(URI.create(baseUrl() + "/actuator/health"))
			.timeout(Duration.ofSeconds(2))
			.build();
		while (Instant.now().isBefore(deadline)) {
			if (!this.process.isAlive()) {
				throw new IllegalStateException(this.name + " exited with " + this.process.exitValue() + "; see " + this.log);
			}
			try {
				HttpResponse<String> response = http.send(health, HttpResponse.BodyHandlers.ofString());
				if (response.statusCode() == 200) {
					return;
				}
			}
			catch (IOException notYetListening) {
				// the port opens only once the context is up
			}
			this.process.waitFor(200, TimeUnit.MILLISECONDS);
		}
		throw new IllegalStateException(this.name + " not healthy after " + timeout.toSeconds() + " s; see " + this.log);
	}

	void stop() {
		if (!this.process.isAlive()) {
			return;
		}
		this.process.destroy();
		try {
			if (!this.process.waitFor(30, TimeUnit.SECONDS)) {
				this.process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
			}
		}
		catch (InterruptedException ex) {
			this.process.destroyForcibly();
			Thread.currentThread().interrupt();
		}
	}
}
