package dev.freshline.bench.chaos;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.freshline.bench.Signals;

/**
 * Postgres stopped under the services and started again on its port and data directory:
 * {@code fast} (SIGINT: clients are disconnected, a shutdown checkpoint is written) or
 * {@code immediate} (SIGQUIT: a crash, no checkpoint, crash recovery at start). The launcher does
 * not supervise Postgres, and pg_ctl refuses to run as root; so the harness signals the postmaster
 * itself, as pg_ctl would, and starts the same command line again (postmaster.opts), as the
 * embedded server was started. The new postmaster is a child of the harness, which stops it after
 * the run if the launcher's stop left it running.
 */
final class PostgresRestart implements Fault {

	/** A double-quoted argument of postmaster.opts (the binary comes first, unquoted), or a bare word. */
	private static final Pattern ARGUMENT = Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"|(\\S+)");

	/** Postmasters this harness started, stopped after the stack. */
	static final List<Process> started = new ArrayList<>();

	private final boolean fast;

	PostgresRestart(boolean fast) {
		this.fast = fast;
	}

	@Override
	public String description() {
		return this.fast ? "Postgres fast restart (SIGINT to the postmaster, then started again)"
				: "Postgres crash and restart (SIGQUIT: immediate stop without checkpoint, then crash recovery)";
	}

	@Override
	public void inject(ChaosContext context) throws Exception {
		// where the launcher runs it (LocalStack: <state>/run/postgres)
		Path data = context.stack().state().resolve("run").resolve("postgres");
		long postmaster = Long.parseLong(Files.readAllLines(data.resolve("postmaster.pid")).get(0).trim());
		List<String> command = new ArrayList<>();
		if (ProcessHandle.current().info().user().orElse("").equals("root")) {
			// Postgres refuses to run as root; the embedded server is started in a user namespace of
			// its own where it is not (zonky's LinuxUtils: unshare -U), and so is its successor
			command.addAll(List.of("unshare", "-U", "--"));
		}
		command.addAll(commandLine(Files.readString(data.resolve("postmaster.opts"))));
		Signals.send(this.fast ? "INT" : "QUIT", postmaster);
		try {
			ProcessHandle.of(postmaster).ifPresent((process) -> await(process, 60));
		}
		catch (IllegalStateException ex) {
			throw new IOException("postmaster " + postmaster + " did not stop", ex);
		}
		Path log = context.stack().state().resolve("logs").resolve("postgres-restarts.log");
		Process restarted = new ProcessBuilder(command).redirectErrorStream(true)
			.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
			.start();
		synchronized (started) {
			started.add(restarted);
		}
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
		while (true) {
			try (Connection connection = DriverManager.getConnection(context.stack().jdbcUrl(), context.stack().databaseUser(),
					context.stack().databasePassword())) {
				break;
			}
			catch (SQLException starting) {
				if (!restarted.isAlive() || System.nanoTime() > deadline) {
					throw new IOException("Postgres did not come back; see " + log, starting);
				}
				LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
			}
		}
		context.progress().line("  postmaster %d stopped (%s) and started again as %d", postmaster,
				this.fast ? "SIGINT" : "SIGQUIT", restarted.pid());
	}

	/**
	 * The command line postmaster.opts records: the binary as it was run, then each argument in
	 * double quotes, e.g. {@code /opt/pg/bin/postgres "-D" "/data" "-c" "wal_level=logical"}.
	 */
	static List<String> commandLine(String opts) {
		List<String> command = new ArrayList<>();
		Matcher argument = ARGUMENT.matcher(opts);
		while (argument.find()) {
			command.add((argument.group(1) != null) ? argument.group(1) : argument.group(2));
		}
		return command;
	}

	/** Postgres answers nothing while it restarts: a cache miss cannot be served, so its 5xx are the fault itself. */
	@Override
	public boolean excuses(ChaosLoad.Read read, long injectedNanos, long endedNanos) {
		// in flight at any moment of the outage: a read that started just before the SIGINT is
		// cut off with its connection ("terminating connection due to administrator command")
		return read.status() >= 500 && read.startNanos() <= endedNanos && read.endNanos() >= injectedNanos;
	}

	/** After the run: a postmaster this harness started that the launcher's stop left running is stopped (fast). */
	static void stopStarted() {
		synchronized (started) {
			for (Process postmaster : started) {
				if (postmaster.isAlive()) {
					postmaster.destroy(); // SIGTERM: smart shutdown, once the launcher's services are gone
					try {
						postmaster.waitFor(30, TimeUnit.SECONDS);
					}
					catch (InterruptedException ex) {
						Thread.currentThread().interrupt();
					}
					postmaster.destroyForcibly();
				}
			}
		}
	}

	private static void await(ProcessHandle process, int seconds) {
		try {
			process.onExit().get(seconds, TimeUnit.SECONDS);
		}
		catch (TimeoutException | ExecutionException ex) {
			throw new IllegalStateException("still running after " + seconds + " s", ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("interrupted", ex);
		}
	}
}
