package dev.freshline.launcher;

import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;

import org.jspecify.annotations.Nullable;

import dev.freshline.embedded.ProcessStop;
import dev.freshline.embedded.ServiceEnvironment;

/**
 * One service running as its own JVM, its output in a log file, ready when its actuator health on
 * its management port (the API's: its readiness probe) answers 200 (or, for the Kafka broker,
 * when it printed that it is). Stopping sends SIGTERM first so Spring shuts down gracefully (the connector flushes its
 * offsets), and only then kills. {@link #restart()} starts the same service again on the same ports,
 * appending to the same log, so the endpoints a user copied stay valid after a crash.
 */
final class ServiceProcess {

	private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

	/** Where a Spring Boot service says whether it is up, unless it is started with another path. */
	static final String HEALTH = "/actuator/health";

	/** The API's readiness probe: ready to take reads, which its overall health does not say. */
	static final String READINESS = "/actuator/health/readiness";

	private final String name;

	private final int port;

	/** Where its actuator listens (on loopback); 0 for a process without one, whose health is on {@link #port}. */
	private final int managementPort;

	private final Path log;

	private final List<String> command;

	private final Map<String, String> environment;

	/** Printed by a process without an actuator once it is ready; null for a Spring Boot service. */
	private final @Nullable String readyLine;

	private final String healthPath;

	/** Where this run's output starts in the (appended) log. */
	private final long logOffset;

	private final Process process;

	/** Where a Spring Boot service's classes are shared from; null for any other process. */
	private final @Nullable ClassDataArchive archive;

	private final Instant started = Instant.now();

	private ServiceProcess(String name, int port, int managementPort, Path log, List<String> command,
			Map<String, String> environment, @Nullable String readyLine, String healthPath, long logOffset,
			@Nullable ClassDataArchive archive, Process process) {
		this.name = name;
		this.port = port;
		this.managementPort = managementPort;
		this.log = log;
		this.command = command;
		this.environment = environment;
		this.readyLine = readyLine;
		this.healthPath = healthPath;
		this.logOffset = logOffset;
		this.archive = archive;
		this.process = process;
		if (archive != null) {
			process.onExit().thenAccept((exited) -> archive.exited(exited.exitValue()));
		}
	}

	/** The JVM the launcher runs in, which runs every service too. */
	static String java() {
		return ProcessHandle.current().info().command().orElse("java");
	}

	static ServiceProcess start(String name, ClassDataArchive app, String healthPath, int port, int managementPort,
			Map<String, String> environment, Path logDirectory) throws IOException {
		if (!Files.isRegularFile(app.jar())) {
			throw new IllegalStateException(app.jar() + " is missing: build first with ./mvnw -DskipTests package");
		}
		ClassDataArchive own = app.forOneProcess();
		return start(name, port, managementPort, logDirectory.resolve(name + ".log"), command(name, own, jvmOptions()),
				Map.copyOf(environment), null, healthPath, own,
				ProcessBuilder.Redirect.to(logDirectory.resolve(name + ".log").toFile()));
	}

	static List<String> command(String name, ClassDataArchive app, String jvmOptions) {
		List<String> command = new ArrayList<>();
		command.add(java());
		command.addAll(List.of(jvmOptions.split("\\s+")));
		command.add("-Dfreshline.instance=" + name);
		command.addAll(app.command());
		return List.copyOf(command);
	}

	/**
	 * A main class of this launcher in a JVM of its own, ready once it printed {@code readyLine}.
	 * Run from the launcher's exec jar, the class is started through Spring Boot's
	 * PropertiesLauncher (the jar's own main is the launcher); from a plain class path, directly.
	 */
	static ServiceProcess startMain(String name, Class<?> main, List<String> jvmOptions, List<String> arguments,
			int port, Path logDirectory, String readyLine) throws IOException {
		return startMain(name, main, jvmOptions, arguments, Map.of(), port, logDirectory, readyLine);
	}

	/** {@code environment}: what the process must not take as arguments, such as passwords. */
	static ServiceProcess startMain(String name, Class<?> main, List<String> jvmOptions, List<String> arguments,
			Map<String, String> environment, int port, Path logDirectory, String readyLine) throws IOException {
		String classPath = System.getProperty("java.class.path");
		List<String> command = new ArrayList<>();
		command.add(java());
		command.addAll(jvmOptions);
		command.add("-Dfreshline.instance=" + name);
		if (isBootJar(classPath)) {
			command.addAll(List.of("-Dloader.main=" + main.getName(), "-cp", classPath,
					"org.springframework.boot.loader.launch.PropertiesLauncher"));
		}
		else {
			command.addAll(List.of("-cp", classPath, main.getName()));
		}
		command.addAll(arguments);
		Path log = logDirectory.resolve(name + ".log");
		return start(name, port, log, List.copyOf(command), Map.copyOf(environment), readyLine,
				ProcessBuilder.Redirect.to(log.toFile()));
	}

	private static boolean isBootJar(String classPath) {
		if (!classPath.endsWith(".jar") || classPath.contains(File.pathSeparator)) {
			return false;
		}
		try (JarFile jar = new JarFile(classPath)) {
			return jar.getManifest() != null && jar.getManifest().getMainAttributes().getValue("Start-Class") != null;
		}
		catch (IOException ex) {
			return false;
		}
	}

	/** Any command run as a service; tests use it to supervise something smaller than a Spring Boot JVM. */
	static ServiceProcess start(String name, int port, Path log, List<String> command, Map<String, String> environment,
			@Nullable String readyLine, ProcessBuilder.Redirect output) throws IOException {
		return start(name, port, 0, log, command, environment, readyLine, HEALTH, null, output);
	}

	private static ServiceProcess start(String name, int port, int managementPort, Path log, List<String> command,
			Map<String, String> environment, @Nullable String readyLine, String healthPath,
			@Nullable ClassDataArchive archive, ProcessBuilder.Redirect output) throws IOException {
		long logOffset = (output.type() == ProcessBuilder.Redirect.Type.APPEND && Files.exists(log)) ? Files.size(log) : 0;
		ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output);
		builder.environment().putAll(environment);
		builder.environment().put(ServiceEnvironment.SERVER_PORT, Integer.toString(port));
		if (managementPort > 0) {
			builder.environment().put(ServiceEnvironment.MANAGEMENT_SERVER_PORT, Integer.toString(managementPort));
		}
		return new ServiceProcess(name, port, managementPort, log, command, environment, readyLine, healthPath,
				logOffset, archive, builder.start());
	}

	/** The same command on the same port; the log is appended to, so it keeps what the last run said before it died. */
	ServiceProcess restart() throws IOException {
		return start(this.name, this.port, this.managementPort, this.log, this.command, this.environment,
				this.readyLine, this.healthPath, this.archive, ProcessBuilder.Redirect.appendTo(this.log.toFile()));
	}

	CompletableFuture<Process> onExit() {
		return this.process.onExit();
	}

	/** Only once {@link #onExit()} completed. */
	int exitValue() {
		return this.process.exitValue();
	}

	/** How long ago this process was started. */
	Duration uptime() {
		return Duration.between(this.started, Instant.now());
	}

	/**
	 * Small heaps and the serial collector suit four JVMs on a 2-core machine, and C1 alone halves
	 * each service's start-up CPU (measured: 11 s instead of 20 s), which is what a cold start of
	 * four JVMs on two cores waits for. At the local stack's rates it costs no latency (the change
	 * stream waits on poll intervals, not on compiled code). With the class data archives
	 * ({@link ClassDataArchive}) full tiered compilation started the stack in 24-30 s, about what
	 * C1 did without them, but not reliably within 25 s, so C1 stays the default
	 * (docs/benchmarks.md, cold start). FRESHLINE_JVM_OPTS replaces these, e.g. to benchmark with
	 * full tiered compilation; the archives apply to either.
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

	int port() {
		return this.port;
	}

	String baseUrl() {
		return "http://127.0.0.1:" + this.port;
	}

	/** Its actuator's base URL: the management port's, or for a process without one its own port's. */
	String managementUrl() {
		return "http://127.0.0.1:" + ((this.managementPort > 0) ? this.managementPort : this.port);
	}

	Path log() {
		return this.log;
	}

	void awaitHealthy(Duration timeout) throws InterruptedException {
		Instant deadline = Instant.now().plus(timeout);
		HttpRequest health = HttpRequest.newBuilder(URI.create(managementUrl() + this.healthPath))
			.timeout(Duration.ofSeconds(2))
			.build();
		while (Instant.now().isBefore(deadline)) {
			if (!this.process.isAlive()) {
				throw new IllegalStateException(this.name + " exited with " + this.process.exitValue() + "; see " + this.log);
			}
			if (this.readyLine != null) {
				if (saidReady()) {
					return;
				}
			}
			else {
				try {
					HttpResponse<String> response = http.send(health, HttpResponse.BodyHandlers.ofString());
					if (response.statusCode() == 200) {
						return;
					}
				}
				catch (IOException notYetListening) {
					// the port opens only once the context is up
				}
			}
			this.process.waitFor(200, TimeUnit.MILLISECONDS);
		}
		throw new IllegalStateException(this.name + " not healthy after " + timeout.toSeconds() + " s; see " + this.log);
	}

	private boolean saidReady() {
		try (RandomAccessFile file = new RandomAccessFile(this.log.toFile(), "r")) {
			if (file.length() <= this.logOffset) {
				return false;
			}
			byte[] output = new byte[(int) Math.min(file.length() - this.logOffset, 16 * 1024 * 1024)];
			file.seek(this.logOffset);
			file.readFully(output);
			return new String(output, StandardCharsets.UTF_8).contains(Objects.requireNonNull(this.readyLine));
		}
		catch (IOException notYetWritten) {
			return false;
		}
	}

	void stop() {
		ProcessStop.stop(this.process, Duration.ofSeconds(30));
		// here too, not only on exit: the launcher's own JVM may end before an exit callback ran
		if (this.archive != null && !this.process.isAlive()) {
			this.archive.exited(this.process.exitValue());
		}
	}
}
