package dev.freshline.bench.chaos;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Postgres restarted under the services with {@code pg_ctl restart}: {@code fast} (clients are
 * disconnected, a shutdown checkpoint is written) or {@code immediate} (a crash: no checkpoint,
 * crash recovery at start). The launcher does not supervise Postgres, so the harness restarts it
 * with the server's own pg_ctl and the options it was started with (postmaster.opts). The new
 * postmaster's pid is in its data directory's postmaster.pid, not in local-stack.json; the
 * launcher stops it by its data directory all the same.
 */
final class PostgresRestart implements Fault {

	private final String mode;

	PostgresRestart(String mode) {
		this.mode = mode;
	}

	@Override
	public String description() {
		return "Postgres " + (this.mode.equals("fast") ? "fast restart" : "crash (immediate stop) and restart")
				+ " (pg_ctl restart -m " + this.mode + ")";
	}

	@Override
	public void inject(ChaosContext context) throws Exception {
		// where the launcher runs it (LocalStack: <state>/run/postgres)
		Path dataDirectory = context.stack().state().resolve("run").resolve("postgres");
		String postmaster = Files.readAllLines(dataDirectory.resolve("postmaster.pid")).get(0).trim();
		Path binary = Files.readSymbolicLink(Path.of("/proc", postmaster, "exe"));
		Path log = context.stack().state().resolve("logs").resolve("postgres-restarts.log");
		Process restart = new ProcessBuilder(binary.resolveSibling("pg_ctl").toString(), "restart", "-D",
				dataDirectory.toString(), "-m", this.mode, "-w", "-t", "60")
			.redirectErrorStream(true)
			.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
			.start();
		if (!restart.waitFor(90, TimeUnit.SECONDS) || restart.exitValue() != 0) {
			throw new IOException("pg_ctl restart -m " + this.mode + " failed; see " + log);
		}
		context.progress().line("  pg_ctl restart -m %s: postmaster %s replaced by %s", this.mode, postmaster,
				Files.readAllLines(dataDirectory.resolve("postmaster.pid")).get(0).trim());
	}

	/** Postgres answers nothing while it restarts: a cache miss cannot be served, so its 5xx are the fault itself. */
	@Override
	public boolean excuses(ChaosLoad.Read read, long injectedNanos, long endedNanos) {
		return read.status() >= 500 && read.startNanos() >= injectedNanos && read.startNanos() <= endedNanos;
	}
}
