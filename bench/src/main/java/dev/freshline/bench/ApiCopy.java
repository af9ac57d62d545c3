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

import dev.freshline.embedded.FreePorts;
import dev.freshline.embedded.ServiceEnvironment;

/**
 * An extra API instance, started by the bench beside the stack's two, that runs api-1's own
 * command line and environment, read from /proc (the launcher hands the services passwords the
 * bench is never told), on a port of its own, with {@code FRESHLINE_FENCE} set as asked. The
 * fence is read once at start-up, so comparing it on and off takes two processes; the bench
 * starts two copies together, one with it on and one off, so that both JVMs are equally old,
 * equally warm and share the same stack and machine load (api-1 against one fresh copy measured
 * mostly the younger JVM: 13-16 % slower after its warm-up).
 */
final class ApiCopy implements AutoCloseable {

	static final String FENCE_ON = "api-fence-on";

	static final String FENCE_OFF = "api-fence-off";

	private static final Duration START_TIMEOUT = Duration.ofMinutes(3);

	private final String name;

	private final Process process;

	private final String baseUrl;

	private final Path log;

	private ApiCopy(String name, Process process, String baseUrl, Path log) {
		this.name = name;
		this.process = process;
		this.baseUrl = baseUrl;
		this.log = log;
	}

	/**
	 * Starts a copy of {@code template} (api-1's pid) named {@code name} with the fence on or off;
	 * {@link #awaitHealthy} waits for it, so that two copies start side by side.
	 */
	static ApiCopy start(long template, String name, boolean fence, Path logs) throws IOException {
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
		environment.put(ServiceEnvironment.SERVER_PORT, Integer.toString(port));
		environment.put(ServiceEnvironment.FRESHLINE_FENCE, Boolean.toString(fence));
		Files.createDirectories(logs);
		Path log = logs.resolve(name + ".log");
		ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
			.redirectOutput(ProcessBuilder.Redirect.to(log.toFile()));
		builder.environment().clear();
		builder.environment().putAll(environment);
		ApiCopy api = new ApiCopy(name, builder.start(), "http://127.0.0.1:" + port, log);
		// the bench exits with System.exit: never leave a JVM the launcher does not know about
		Runtime.getRuntime().addShutdownHook(new Thread(api::close, "bench-stop-" + name));
		return api;
	}

	private static List<String> nulSeparated(Path file) throws IOException {
		String text = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
		List<String> parts = new ArrayList<>(List.of(text.split("\0")));
		parts.removeIf(String::isEmpty);
		return parts;
	}

	/** Waits until its health answers 200. */
	void awaitHealthy(BenchHttp http) throws Exception {
		Path log = this.log;
		long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
		while (System.nanoTime() < deadline) {
			if (!this.process.isAlive()) {
				throw new IllegalStateException(this.name + " exited with " + this.process.exitValue() + "; see " + log);
			}
			try {
				HttpResponse<String> health = http.get(this.baseUrl + "/actuator/health");
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

	long pid() {
		return this.process.pid();
	}

	@Override
	public void close() {
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
