package dev.freshline.embedded;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.embedded.core.ExecutableProvider;

/**
 * A real redis-server 6.2 child process (the binary shipped by codemonstur's embedded-redis) that
 * can be stopped and restarted on the same port, so tests can prove the services survive a Redis outage.
 */
public final class RedisServer implements AutoCloseable {

	private static final Logger log = LoggerFactory.getLogger(RedisServer.class);

	private static final String HOST = "127.0.0.1";

	/** What redis-server prints once it accepts connections. */
	public static final String READY = "Ready to accept connections";

	/** The RDB file a {@code SAVE} writes into the server's directory, and a start in that directory loads. */
	public static final String SNAPSHOT_FILE = "dump.rdb";

	/** The ACL file of a server started with users, in its directory. */
	public static final String ACL_FILE = "users.acl";

	private final int port;

	private final Path workDirectory;

	private final Path pidFile;

	private final Path configFile;

	private final redis.embedded.RedisServer process;

	private final CloseOnce closeOnce;

	private volatile long pid = -1;

	private RedisServer(int port, Path workDirectory, Path pidFile, Path configFile, redis.embedded.RedisServer process) {
		this.port = port;
		this.workDirectory = workDirectory;
		this.pidFile = pidFile;
		this.configFile = configFile;
		this.process = process;
		// embedded-redis registers a hook that stops the process; ours also removes the files.
		this.closeOnce = new CloseOnce("redis-" + port + "-shutdown", this::close);
	}

	/** Starts redis-server on a free port of 127.0.0.1, without persistence. */
	public static RedisServer start() {
		return start(null);
	}

	/**
	 * As {@link #start()}, with the users of {@code aclFile} (the text of an ACL file, such as
	 * RedisUsers renders): written next to the binary, readable by its owner only, and loaded at
	 * every start, so a {@link #restart()} has the same users.
	 */
	public static RedisServer startWithUsers(String aclFile) {
		return start(aclFile);
	}

	private static RedisServer start(@Nullable String aclFile) {
		return start(FreePorts.find(), aclFile, List.of());
	}

	/**
	 * A server on {@code port} with {@code settings} (redis.conf lines) on top of the usual ones:
	 * how {@link RedisCluster} starts its nodes, so a node is started, stopped, killed and cleaned
	 * up exactly like a single server.
	 */
	static RedisServer start(int port, @Nullable String aclFile, List<String> settings) {
		long started = System.nanoTime();
		Path workDirectory = Directories.createTemp("freshline-redis-");
		Path pidFile = workDirectory.resolve("redis.pid");
		try {
			// The builder writes the config file; building the argument list ourselves tells us its path.
			redis.embedded.core.RedisServerBuilder builder = redis.embedded.RedisServer.newRedisServer()
					// Extract the binary into our own directory so close() removes it with everything else.
					.executableProvider(ExecutableProvider.newJarResourceProvider(workDirectory.toFile()))
					.bind(HOST)
					.port(port)
					.setting("save \"\"")
					.setting("appendonly no")
					.setting("dir \"" + workDirectory + "\"")
					// Redis writes a pid file even in the foreground when one is configured.
					.setting("pidfile \"" + pidFile + "\"");
			if (aclFile != null) {
				builder.setting("aclfile \"" + writeAclFile(workDirectory.resolve(ACL_FILE), aclFile) + "\"");
			}
			settings.forEach(builder::setting);
			List<String> arguments = builder.buildCommandArgs();
			Path configFile = Path.of(arguments.get(1));
			// stdout is closed by embedded-redis once "Ready to accept connections" appears; redis
			// ignores SIGPIPE, so only stderr needs draining to keep the process from blocking.
			redis.embedded.RedisServer process = new redis.embedded.RedisServer(port, arguments, false,
					(line) -> log.debug("redis-server:{} {}", port, line),
					(line) -> log.warn("redis-server:{} {}", port, line));
			RedisServer redis = new RedisServer(port, workDirectory, pidFile, configFile, process);
			try {
				redis.launch(started);
			}
			catch (IOException | RuntimeException ex) {
				redis.close();
				throw ex;
			}
			return redis;
		}
		catch (IOException | RuntimeException ex) {
			Directories.deleteRecursively(workDirectory);
			throw new EmbeddedServerException("Redis did not start on port " + port, ex);
		}
	}

	/**
	 * The command line of a redis-server like the one {@link #start()} runs (loopback only, nothing
	 * persisted on its own, so a restart comes back empty), for a launcher that runs and supervises
	 * the process itself: the binary is extracted into {@code directory}, which is also the server's
	 * working directory. Only an explicit {@code SAVE} writes {@link #SNAPSHOT_FILE} there, which the
	 * next start loads: how a harness restarts Redis from a snapshot. The server logs to its
	 * standard output and says {@link #READY} once it serves.
	 */
	public static List<String> command(Path directory, int port) {
		return command(directory, port, null);
	}

	/**
	 * As {@link #command(Path, int)}, with the users of {@code aclFile} (the text of an ACL file)
	 * written to {@value #ACL_FILE} in {@code directory}, readable by its owner only: the
	 * passwords' hashes stay out of the command line, and a restart with the same command line
	 * loads the same users.
	 */
	public static List<String> command(Path directory, int port, @Nullable String aclFile) {
		try {
			Files.createDirectories(directory);
			String binary = ExecutableProvider.newJarResourceProvider(directory.toFile()).get().getAbsolutePath();
			List<String> command = new ArrayList<>(List.of(binary, "--port", Integer.toString(port), "--bind", HOST,
					"--save", "", "--appendonly", "no", "--dir", directory.toAbsolutePath().toString(), "--dbfilename",
					SNAPSHOT_FILE));
			if (aclFile != null) {
				command.addAll(List.of("--aclfile", writeAclFile(directory.resolve(ACL_FILE), aclFile).toString()));
			}
			return List.copyOf(command);
		}
		catch (IOException ex) {
			throw new EmbeddedServerException("Cannot extract redis-server into " + directory, ex);
		}
	}

	private static Path writeAclFile(Path file, String content) throws IOException {
		Files.deleteIfExists(file);
		// created owner-only before the hashes are in it
		Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
		Files.writeString(file, content, StandardCharsets.UTF_8);
		return file.toAbsolutePath();
	}

	public String host() {
		return HOST;
	}

	public int port() {
		return this.port;
	}

	/** The {@code redis://host:port} address a Lettuce client connects to. */
	public String uri() {
		return "redis://" + HOST + ":" + this.port;
	}

	/** The pid of the running redis-server, read from its pid file. */
	public long pid() {
		long current = this.pid;
		if (current < 0) {
			throw new IllegalStateException("Redis on port " + this.port + " is not running");
		}
		return current;
	}

	/** True while the process is alive; false after {@link #stop()} or if it died on its own. */
	public boolean isRunning() {
		long current = this.pid;
		return this.process.isActive() && current > 0 && ProcessHandle.of(current).map(ProcessHandle::isAlive).orElse(false);
	}

	/** Stops the process (SIGTERM, then waits) but keeps the port, so {@link #restart()} can reuse it. */
	public synchronized void stop() {
		if (!this.process.isActive()) {
			return;
		}
		try {
			this.process.stop();
			this.pid = -1;
		}
		catch (IOException ex) {
			throw new EmbeddedServerException("Redis on port " + this.port + " did not stop", ex);
		}
		log.info("Redis on {}:{} stopped", HOST, this.port);
	}

	/**
	 * Kills the process with SIGKILL, as a crash would: no shutdown, no goodbye to replicas or to a
	 * cluster's other nodes, which must notice on their own. The port is kept for {@link #restart()}.
	 */
	public synchronized void kill() {
		long current = this.pid;
		if (current > 0) {
			ProcessHandle.of(current).ifPresent((process) -> {
				process.destroyForcibly();
				process.onExit().orTimeout(10, TimeUnit.SECONDS).join();
			});
		}
		// lets embedded-redis forget the process it started, so restart() starts a new one
		stop();
		log.info("Redis on {}:{} killed (pid {})", HOST, this.port, current);
	}

	/** Starts the process again on the same port; an empty server, since nothing is persisted. */
	public synchronized void restart() {
		if (this.closeOnce.closed()) {
			throw new IllegalStateException("Redis on port " + this.port + " is closed");
		}
		if (isRunning()) {
			stop();
		}
		try {
			launch(System.nanoTime());
		}
		catch (IOException ex) {
			throw new EmbeddedServerException("Redis did not restart on port " + this.port, ex);
		}
	}

	/** Stops the process and deletes the binary, pid file and config file. */
	@Override
	public synchronized void close() {
		if (!this.closeOnce.first()) {
			return;
		}
		try {
			stop();
		}
		finally {
			Directories.deleteRecursively(this.workDirectory);
			try {
				Files.deleteIfExists(this.configFile);
			}
			catch (IOException ex) {
				log.debug("Cannot delete {}", this.configFile, ex);
			}
		}
	}

	@Override
	public String toString() {
		return "RedisServer[" + HOST + ":" + this.port + "]";
	}

	private synchronized void launch(long started) throws IOException {
		this.process.start();
		this.pid = readPid();
		log.info("Redis started on {}:{} as pid {} in {} ms", HOST, this.port, this.pid,
				TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
	}

	private long readPid() throws IOException {
		// redis writes the pid file before logging that it is ready, so it exists by now.
		@Nullable String content = Files.exists(this.pidFile) ? Files.readString(this.pidFile, StandardCharsets.US_ASCII) : null;
		if (content == null || content.isBlank()) {
			throw new IOException("redis-server wrote no pid file at " + this.pidFile);
		}
		return Long.parseLong(content.trim());
	}
}
