package dev.freshline.bench.chaos;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.api.sync.RedisCommands;
import org.jspecify.annotations.Nullable;

import dev.freshline.bench.Signals;
import dev.freshline.embedded.RedisServer;
import dev.freshline.model.Namespace;

/**
 * Redis restarted from a snapshot older than recent invalidations, as a Redis with periodic RDB
 * saves comes back after a crash. The harness SAVEs an RDB into the directory the launcher runs
 * redis-server in, lets the load change rows (and the invalidator delete their keys) for
 * {@link #SNAPSHOT_AGE}, then kills redis-server; the launcher restarts it with the same command
 * line, and Redis loads {@code dump.rdb} from its directory. The entries deleted since the save
 * come back, and with them the applied watermarks and the server lifetime recorded at the save.
 * The invalidator must notice the lifetime change and flush; the fence bypasses the restored, old
 * watermarks until it does. Verified by Redis' own "DB loaded from disk" line and by counting the
 * entries the snapshot brings back after their delete was acknowledged: none would test nothing.
 */
final class RedisSnapshotRestart implements Fault {

	static final Duration SNAPSHOT_AGE = Duration.ofSeconds(10);

	private static final String LOADED = "DB loaded from disk";

	private List<String> saved = List.of();

	private int deletedSince = -1;

	private long outputBefore;

	private long redisLogBefore;

	private Optional<String> restarted = Optional.empty();

	private @Nullable Path snapshot;

	@Override
	public String description() {
		return "Redis restarted from an RDB written " + SNAPSHOT_AGE.toSeconds()
				+ " s before (SAVE, load goes on, SIGKILL; the launcher restarts it on the snapshot)";
	}

	@Override
	public void inject(ChaosContext context) throws Exception {
		RedisCommands<String, String> redis = context.probe().redis();
		this.saved = patientEntries(redis, context);
		String reply = redis.save();
		this.snapshot = snapshot(context);
		if (!"OK".equals(reply) || !Files.isRegularFile(this.snapshot)) {
			throw new IllegalStateException("SAVE answered " + reply + " and wrote no " + this.snapshot);
		}
		context.progress().line("  SAVE: %s (%d bytes, %d patient entries); the load goes on for %d s", this.snapshot,
				Files.size(this.snapshot), this.saved.size(), SNAPSHOT_AGE.toSeconds());
	}

	@Override
	public Duration duration() {
		return SNAPSHOT_AGE;
	}

	@Override
	public void end(ChaosContext context) throws Exception {
		// the entries of the snapshot whose delete Redis has acknowledged since: what the restart brings back
		RedisCommands<String, String> redis = context.probe().redis();
		this.deletedSince = (int) this.saved.stream().filter((key) -> redis.exists(key) == 0).count();
		this.outputBefore = context.launcherOutputSize();
		this.redisLogBefore = Files.size(redisLog(context));
		long pid = context.stack().pid("redis");
		Signals.send("KILL", pid);
		context.progress().line("  %d of the snapshot's %d patient entries were invalidated after the SAVE;"
				+ " kill -KILL %d (redis)", this.deletedSince, this.saved.size(), pid);
	}

	@Override
	public boolean over(ChaosContext context) throws Exception {
		if (this.restarted.isEmpty()) {
			this.restarted = context.restartLine("redis", this.outputBefore);
			this.restarted.ifPresent((line) -> context.progress().line("  launcher: %s", line));
		}
		return this.restarted.isPresent();
	}

	@Override
	public @Nullable String verify(ChaosContext context) throws Exception {
		if (!over(context)) {
			return "the launcher did not report redis restarted and healthy again";
		}
		if (!redisLogSince(context).contains(LOADED)) {
			return "the restarted Redis did not load the snapshot (no '" + LOADED + "' in " + redisLog(context) + ")";
		}
		if (this.deletedSince <= 0) {
			return "no entry of the snapshot was invalidated after the SAVE: the restart brought nothing stale back to test";
		}
		return null;
	}

	/** Removes the snapshot, so that a later restart of Redis comes back empty, as the launcher promises. */
	@Override
	public void close() {
		if (this.snapshot != null) {
			try {
				Files.deleteIfExists(this.snapshot);
			}
			catch (IOException ex) {
				System.err.println("Cannot delete " + this.snapshot + ": " + ex.getMessage());
			}
		}
	}

	private static List<String> patientEntries(RedisCommands<String, String> redis, ChaosContext context) {
		List<String> entries = new ArrayList<>();
		ScanArgs args = ScanArgs.Builder.matches(context.probe().keys().namespacePattern(Namespace.PATIENT)).limit(1000);
		KeyScanCursor<String> cursor = redis.scan(args);
		while (true) {
			// entries only: leases and floors of the same namespace end in ":lease" and ":floor"
			cursor.getKeys().stream().filter((key) -> key.endsWith("}")).forEach(entries::add);
			if (cursor.isFinished()) {
				return entries;
			}
			cursor = redis.scan(cursor, args);
		}
	}

	/** Where the launcher runs redis-server (LocalStack: {@code <state>/run/redis}), its working directory. */
	private static Path snapshot(ChaosContext context) {
		return context.stack().state().resolve("run").resolve("redis").resolve(RedisServer.SNAPSHOT_FILE);
	}

	private static Path redisLog(ChaosContext context) {
		return context.stack().state().resolve("logs").resolve("redis.log");
	}

	private String redisLogSince(ChaosContext context) throws IOException {
		byte[] log = Files.readAllBytes(redisLog(context));
		int from = (int) Math.min(this.redisLogBefore, log.length);
		return new String(log, from, log.length - from, StandardCharsets.UTF_8);
	}
}
