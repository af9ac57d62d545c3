package dev.freshline.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.api.sync.RedisCommands;

import dev.freshline.model.CacheKeys;
import dev.freshline.model.Namespace;

/**
 * The patient ids a miss run reads, each once, so that every read is a miss by construction: no
 * patient value is cached when the run starts, and no read can find what another one filled. The
 * bench adds patients with SQL when the table has too few for the run.
 */
final class MissWalk {

	/** How long the pipeline may take to apply the inserts of the patients added. */
	private static final Duration APPLIED = Duration.ofMinutes(3);

	/** Every id from {@code first} to {@code last} is a patient. */
	record Ids(long first, long last) {

		long count() {
			return this.last - this.first + 1;
		}
	}

	private final StackProcess stack;

	private final RedisCommands<String, String> redis;

	private final CacheKeys keys;

	MissWalk(StackProcess stack, RedisCommands<String, String> redis, CacheKeys keys) {
		this.stack = stack;
		this.redis = redis;
		this.keys = keys;
	}

	/**
	 * At least {@code needed} patient ids (for {@code why}), with every cached patient value
	 * deleted: call it right before the runs that walk them.
	 */
	Ids prepare(long needed, String why, BenchProgress progress) throws SQLException, InterruptedException {
		Ids ids;
		try (Connection sql = DriverManager.getConnection(this.stack.jdbcUrl(), this.stack.databaseUser(),
				this.stack.databasePassword())) {
			ids = patients(sql);
			if (ids.count() < needed) {
				long added = needed - ids.count();
				progress.line("miss walk: %d patients, %d needed for %s: adding %d with SQL...", ids.count(), needed, why, added);
				Ids before = ids;
				BenchPatients.ensure(sql, needed);
				ids = patients(sql);
				awaitApplied(before.last() + 1, ids.last(), progress);
			}
		}
		if (ids.count() < needed) {
			throw new IllegalStateException("the patient table has " + ids.count() + " rows, the miss walk needs " + needed);
		}
		progress.line("miss walk: flushed %d patient values; the miss runs read ids from %d-%d, each at most once",
				flushPatientValues(), ids.first(), ids.last());
		return ids;
	}

	/** The patient ids, which the walk needs without gaps: the bench never deletes a patient. */
	private static Ids patients(Connection sql) throws SQLException {
		try (Statement statement = sql.createStatement();
				ResultSet rows = statement.executeQuery("SELECT min(id), max(id), count(*) FROM patient")) {
			rows.next();
			Ids ids = new Ids(rows.getLong(1), rows.getLong(2));
			if (rows.getLong(3) != ids.count()) {
				throw new IllegalStateException("patient ids " + ids.first() + "-" + ids.last() + " have gaps (" + rows.getLong(3)
						+ " rows): the miss walk would read ids that are not found");
			}
			return ids;
		}
	}

	/**
	 * Waits until the invalidator has applied the inserts of ids {@code from} to {@code to}: each
	 * raises its key's floor. Measuring before would measure the pipeline's backlog, and the fence
	 * bypasses the cache while its watermark lags.
	 */
	private void awaitApplied(long from, long to, BenchProgress progress) throws InterruptedException {
		long started = System.nanoTime();
		long deadline = started + APPLIED.toNanos();
		long next = from;
		while (next <= to) {
			long end = Math.min(to, next + 499);
			String[] floors = new String[(int) (end - next + 1)];
			for (int i = 0; i < floors.length; i++) {
				floors[i] = this.keys.floor(this.keys.patient(next + i));
			}
			if (this.redis.exists(floors) == floors.length) {
				next = end + 1;
			}
			else if (System.nanoTime() > deadline) {
				throw new IllegalStateException("the inserts of patients " + from + "-" + to + " were not applied within "
						+ APPLIED.toSeconds() + " s (applied up to " + (next - 1) + ")");
			}
			else {
				Thread.sleep(200);
			}
		}
		progress.line("miss walk: the inserts of ids %d-%d were applied %.1f s after they committed", from, to,
				(System.nanoTime() - started) / 1e9);
	}

	/** Deletes every cached patient value (SCAN, never KEYS); floors and leases stay. */
	private long flushPatientValues() {
		ScanArgs args = ScanArgs.Builder.matches(this.keys.namespacePattern(Namespace.PATIENT)).limit(1000);
		long deleted = 0;
		KeyScanCursor<String> cursor = this.redis.scan(args);
		while (true) {
			// values only: leases and floors of the same namespace end in ":lease" and ":floor"
			String[] values = cursor.getKeys().stream().filter((key) -> key.endsWith("}")).toArray(String[]::new);
			if (values.length > 0) {
				deleted += this.redis.del(values);
			}
			if (cursor.isFinished()) {
				return deleted;
			}
			cursor = this.redis.scan(cursor, args);
		}
	}
}
