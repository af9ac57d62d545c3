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
 * A third API instance, started by the bench beside the stack's two, that differs from api-1 in
 * one setting only: {@code FRESHLINE_FENCE=false}. It runs api-1's own command line and
 * environment, read from /proc (the launcher hands the services passwords the bench is never
 * told), on a port of its own, so that the fence's cost is measured between two instances of the
 * same stack at the same time rather than between two stacks minutes apart. The fence is read
 * once at start-up, so a second process is the only way to have it off beside it on.
 */
final class FenceOffApi implements AutoCloseable {

	static final String NAME = "api-fence-off";

	private static final Duration START_TIMEOUT = Duration.ofMinutes(3);

	private final Process process;

	private final String baseUrl;

	private FenceOffApi(Process process, String baseUrl) {
		this.process = process;
		this.baseUrl = baseUrl;
	}

	/** Starts the copy of {@code template} (api-1's pid) and waits until its health answers 200. */
	static FenceOffApi start(long template, Path log, BenchHttp http) throws Exception {
		List<String> command = new ArrayList<>();
		for (String argument : nulSeparated(Path.of("/proc", Long.toString(template), "cmdline"))) {
			command.add(argument.startsWith("-Dfreshline.instance=") ? "-Dfreshline.instance=" + NAME : argument);
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
		environment.put(ServiceEnvironment.FRESHLINE_FENCE, "false");
		Files.createDirectories(log.getParent());
		ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
			.redirectOutput(ProcessBuilder.Redirect.to(log.toFile()));
		builder.environment().clear();
		builder.environment().putAll(environment);
		FenceOffApi api = new FenceOffApi(builder.start(), "http://127.0.0.1:" + port);
		// the bench exits with System.exit: never leave a JVM the launcher does not know about
		Runtime.getRuntime().addShutdownHook(new Thread(api::close, "bench-stop-" + NAME));
		try {
			api.awaitHealthy(http, log);
		}
		catch (Exception ex) {
			api.close();
			throw ex;
		}
		return api;
	}

	private static List<String> nulSeparated(Path file) throws IOException {
		String text = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
		List<String> parts = new ArrayList<>(List.of(text.split("\0")));
		parts.removeIf(String::isEmpty);
		return parts;
	}

	private void awaitHealthy(BenchHttp http, Path log) throws Exception {
		long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
		while (System.nanoTime() < deadline) {
			if (!this.process.isAlive()) {
				throw new IllegalStateException(NAME + " exited with " + this.process.exitValue() + "; see " + log);
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
		throw new IllegalStateException(NAME + " not healthy after " + START_TIMEOUT.toSeconds() + " s; see " + log);
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
