package dev.freshline.bench;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongFunction;

import io.lettuce.core.LettuceFutures;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;
import tools.jackson.databind.json.JsonMapper;

import dev.freshline.cache.CachedValue;
import dev.freshline.model.CacheKeys;

/**
 * Invalidator throughput, one process: one SQL statement updates {@code rows} cached patients at
 * once, and the figure is rows over the seconds from its commit to the last of their keys deleted.
 * Set up first and not timed: missing patients are inserted and their own invalidations awaited
 * (one arriving later would delete an entry planted for the update), then every row's entry is
 * written straight into Redis in the form the API's fill stores, pipelined: 100,000 API misses
 * would take minutes.
 */
final class BulkUpdate {

	/** The API's patient TTL (api-service.yml's default): no planted entry expires during the scenario. */
	private static final Duration TTL = Duration.ofMinutes(10);

	/** Commands per pipelined round trip while planting and checking entries. */
	private static final int BATCH = 5_000;

	/** How often the drain is sampled for the report: a quick run's drain takes about two seconds. */
	private static final Duration SAMPLE = Duration.ofMillis(500);

	/** Every how many samples one is printed. */
	private static final int PRINTED = 4;

	/** No invalidation for this long: the rest will not come. */
	private static final Duration QUIET = Duration.ofSeconds(15);

	private static final Duration MAX_WAIT = Duration.ofMinutes(5);

	/** The patient as the API serializes it ({@code api.patient.Patient}): what its fill stores after the header. */
	record PatientBody(long id, String mrn, String name, LocalDate dateOfBirth, String ward, long version,
			OffsetDateTime updatedAt) {
	}

	/** The keys still cached {@code seconds} after the commit, what the connector had produced and the invalidator's lag. */
	record Sample(double seconds, long keysLeft, long produced, long invalidatorLag) {
	}

	/**
	 * One run: {@code rows} patients, ids {@code firstId..lastId}, of which {@code inserted} were
	 * added for it; the update's commit -> first and last key deleted; the keys still cached at the
	 * end (0 unless invalidations were lost); CPU per component over the drain.
	 */
	record Figures(int rows, long firstId, long lastId, int inserted, double insertsAppliedS, String layoutCheck,
			double statementMs, double firstDeleteMs, double lastDeleteMs, int notSeen, long keysLeft,
			Map<String, Double> cpuCores, double cpuSeconds, List<Sample> samples) {

		/** Rows over commit -> last key deleted; NaN when a delete was never seen (the drain did not end). */
		double invalidationsPerS() {
			return perSecond(this.rows, this.lastDeleteMs, this.notSeen);
		}

		/** The rate between the first delete and the last: the drain once the connector's first events arrived. */
		double drainPerS() {
			return perSecond(this.rows - 1, this.lastDeleteMs - this.firstDeleteMs, this.notSeen);
		}

		/** CPU µs {@code component} spent per updated row over the window, commit to last delete. */
		double usPerEvent(String component) {
			Double cores = this.cpuCores.get(component);
			return (cores == null || this.rows == 0) ? Double.NaN : cores * this.cpuSeconds * 1_000_000 / this.rows;
		}
	}

	static double perSecond(int events, double ms, int notSeen) {
		return (notSeen > 0 || !(ms > 0)) ? Double.NaN : events / (ms / 1000);
	}

	private final StackProcess stack;

	private final RedisClient client;

	private final CacheKeys keys;

	private final BenchHttp http;

	private final BenchProgress progress;

	private final JsonMapper json = JsonMapper.builder().build();

	BulkUpdate(StackProcess stack, RedisClient client, CacheKeys keys, BenchHttp http, BenchProgress progress) {
		this.stack = stack;
		this.client = client;
		this.keys = keys;
		this.http = http;
		this.progress = progress;
	}

	Figures run(int rows, String topic, Map<String, Long> components) throws Exception {
		String patientKeys = this.keys.patient(1).substring(0, this.keys.patient(1).indexOf('{'));
		// Keyspace notifications, not polling: the floor's SET is published inside the invalidate
		// script that deletes the value, so its arrival is the delete's instant for every key at
		// the cost of one pub/sub message each; a sweep of pipelined EXISTS over 100,000 keys costs
		// Redis as much work per pass as the invalidator's deletes it would compete with, and sees a
		// delete only at the next pass. One EXISTS sweep at the end checks that no entry is left.
		try (Connection sql = DriverManager.getConnection(this.stack.jdbcUrl(), this.stack.databaseUser(),
				this.stack.databasePassword());
				InvalidationWatch watch = new InvalidationWatch(this.client, patientKeys);
				Backlog backlog = new Backlog(this.stack, topic);
				StatefulRedisConnection<String, String> redis = this.client.connect();
				StatefulRedisConnection<String, String> pipeline = this.client.connect()) {
			// one connection sends batches without waiting for each reply; the other runs one command at a time
			pipeline.setAutoFlushCommands(false);
			long started = System.nanoTime();
			watch.reset();
			int inserted = insertMissing(sql, rows);
			if (inserted > 0) {
				awaitInvalidations(watch, backlog, inserted, started, "inserts");
			}
			double insertsS = (System.nanoTime() - started) / 1e9;
			long firstId = scalar(sql, "SELECT min(id) FROM patient");
			long lastId = scalar(sql, "SELECT id FROM patient ORDER BY id OFFSET " + (rows - 1) + " LIMIT 1");
			String firstValue = plant(sql, pipeline.async(), firstId, lastId);
			String layout = checkLayout(redis.sync(), firstId, firstValue);
			this.progress.line("bulk: %,d entries planted for patients %d-%d (%s)", rows, firstId, lastId, layout);
			long planted = cached(pipeline, firstId, lastId);
			if (planted != rows) {
				throw new IllegalStateException(planted + " of " + rows + " planted entries are cached before the update");
			}

			watch.reset();
			long producedBefore = backlog.produced();
			CpuUse cpu = CpuUse.start(components);
			long sent = System.nanoTime();
			int updated;
			try (PreparedStatement update = sql.prepareStatement("UPDATE patient SET ward = ward WHERE id BETWEEN ? AND ?")) {
				update.setLong(1, firstId);
				update.setLong(2, lastId);
				updated = update.executeUpdate();
			}
			long committed = System.nanoTime();
			if (updated != rows) {
				throw new IllegalStateException("the update changed " + updated + " rows, not " + rows);
			}
			this.progress.line("bulk: %,d rows updated by one statement in %.0f ms; waiting for every key to be deleted...", rows,
					(committed - sent) / 1e6);
			List<Sample> samples = awaitInvalidations(watch, backlog, rows, committed, producedBefore, "update");
			Map<String, Double> cores = cpu.stop();
			Deletes deletes = deletes(watch.drain(), firstId, lastId, sent, this.keys::patient);
			long left = cached(pipeline, firstId, lastId);
			return new Figures(rows, firstId, lastId, inserted, insertsS, layout, (committed - sent) / 1e6,
					(deletes.first() - committed) / 1e6, (deletes.last() - committed) / 1e6, deletes.notSeen(), left, cores,
					cpu.seconds(), samples);
		}
	}

	/** Adds the patients missing for {@code rows}; they are new keys, invalidated as they are inserted. */
	private int insertMissing(Connection sql, int rows) throws SQLException {
		int added = (int) BenchPatients.ensure(sql, rows);
		if (added > 0) {
			this.progress.line("bulk: inserted %,d patients (%,d existed); waiting for their invalidations...", added, rows - added);
		}
		return added;
	}

	private List<Sample> awaitInvalidations(InvalidationWatch watch, Backlog backlog, int expected, long from, String what) {
		return awaitInvalidations(watch, backlog, expected, from, backlog.produced(), what);
	}

	/**
	 * Until {@code expected} invalidations were applied, printing how many are left every couple of
	 * seconds; fails when they stop coming or take too long, since a figure taken then would not be
	 * the drain's.
	 */
	private List<Sample> awaitInvalidations(InvalidationWatch watch, Backlog backlog, int expected, long from,
			long producedBefore, String what) {
		List<Sample> samples = new ArrayList<>();
		long deadline = from + MAX_WAIT.toNanos();
		long nextSample = from + SAMPLE.toNanos();
		long seen = -1;
		long quietSince = System.nanoTime();
		while (watch.count() < expected) {
			long now = System.nanoTime();
			long count = watch.count();
			if (count != seen) {
				seen = count;
				quietSince = now;
			}
			if (now - quietSince > QUIET.toNanos() || now > deadline) {
				throw new IllegalStateException(String.format("%s: %,d of %,d invalidations applied after %.0f s, none in the last %.0f s",
						what, count, expected, (now - from) / 1e9, (now - quietSince) / 1e9));
			}
			if (now >= nextSample) {
				Sample sample = new Sample((now - from) / 1e9, expected - count, backlog.produced() - producedBefore,
						backlog.invalidatorLag());
				samples.add(sample);
				if (samples.size() % PRINTED == 0) {
					this.progress.line("bulk %s: %,d of %,d keys left after %.1f s (connector produced %,d, invalidator lag %,d)", what,
							sample.keysLeft(), expected, sample.seconds(), sample.produced(), sample.invalidatorLag());
				}
				nextSample += SAMPLE.toNanos();
			}
			LockSupport.parkNanos(Duration.ofMillis(5).toNanos());
		}
		return samples;
	}

	/**
	 * Writes every row's entry as the API's fill would store it: {@link CachedValue}'s header
	 * (the absolute deadline) before the patient's JSON, under the patient's key, with the TTL.
	 *
	 * @return the value planted for {@code firstId}
	 */
	private String plant(Connection sql, RedisAsyncCommands<String, String> redis, long firstId, long lastId)
			throws Exception {
		long deadline = System.currentTimeMillis() + TTL.toMillis();
		SetArgs ttl = SetArgs.Builder.px(TTL.toMillis());
		List<RedisFuture<?>> batch = new ArrayList<>();
		String first = null;
		sql.setAutoCommit(false);
		try (PreparedStatement select = sql.prepareStatement(
				"SELECT id, mrn, name, date_of_birth, ward, version, updated_at FROM patient WHERE id BETWEEN ? AND ? ORDER BY id")) {
			// a cursor: the rows arrive a batch at a time, not 100,000 at once
			select.setFetchSize(BATCH);
			select.setLong(1, firstId);
			select.setLong(2, lastId);
			try (ResultSet row = select.executeQuery()) {
				while (row.next()) {
					PatientBody patient = new PatientBody(row.getLong(1), row.getString(2), row.getString(3),
							row.getObject(4, LocalDate.class), row.getString(5), row.getLong(6),
							row.getObject(7, OffsetDateTime.class));
					// the stored bytes as a string: the header is ASCII and the body UTF-8, which the
					// connection's UTF-8 codec writes back byte for byte
					String value = new String(CachedValue.wrap(deadline, this.json.writeValueAsBytes(patient)),
							StandardCharsets.UTF_8);
					if (first == null) {
						first = value;
					}
					batch.add(redis.set(this.keys.patient(patient.id()), value, ttl));
					if (batch.size() == BATCH) {
						send(redis, batch);
					}
				}
			}
		}
		finally {
			sql.commit();
			sql.setAutoCommit(true);
		}
		send(redis, batch);
		if (first == null) {
			throw new IllegalStateException("no patient between " + firstId + " and " + lastId);
		}
		return first;
	}

	private static void send(RedisAsyncCommands<String, String> redis, List<RedisFuture<?>> batch) {
		redis.flushCommands();
		if (!LettuceFutures.awaitAll(1, TimeUnit.MINUTES, batch.toArray(new RedisFuture<?>[0]))) {
			throw new IllegalStateException("Redis did not answer a pipelined batch within a minute");
		}
		batch.clear();
	}

	/** How many of the patients' value keys exist, by pipelined EXISTS. */
	private long cached(StatefulRedisConnection<String, String> pipeline, long firstId, long lastId) throws Exception {
		RedisAsyncCommands<String, String> redis = pipeline.async();
		List<RedisFuture<?>> batch = new ArrayList<>();
		List<RedisFuture<Long>> all = new ArrayList<>();
		for (long id = firstId; id <= lastId; id++) {
			RedisFuture<Long> exists = redis.exists(this.keys.patient(id));
			batch.add(exists);
			all.add(exists);
			if (batch.size() == BATCH) {
				send(redis, batch);
			}
		}
		send(redis, batch);
		long cached = 0;
		for (RedisFuture<Long> exists : all) {
			cached += exists.get();
		}
		return cached;
	}

	/**
	 * Whether the planted form is the API's own: the first patient's entry is deleted and read
	 * through api-1, whose miss fills it, and the body it stored is compared with the one planted.
	 * A mismatch is reported, not fatal: the delete the figure measures removes either.
	 */
	private String checkLayout(RedisCommands<String, String> redis, long id, String planted) throws Exception {
		String key = this.keys.patient(id);
		redis.del(key);
		HttpResponse<String> response = this.http.get(this.stack.api(0) + "/patients/" + id);
		String stored = redis.get(key);
		if (stored == null) {
			redis.set(key, planted, SetArgs.Builder.px(TTL.toMillis()));
			return "layout not checked: api-1 answered " + response.statusCode() + " " + BenchHttp.cacheOutcome(response)
					+ " and stored nothing";
		}
		boolean header = stored.length() >= CachedValue.HEADER_LENGTH
				&& stored.substring(0, CachedValue.HEADER_LENGTH).chars().allMatch(Character::isDigit);
		String body = stored.substring(Math.min(stored.length(), CachedValue.HEADER_LENGTH));
		String plantedBody = planted.substring(CachedValue.HEADER_LENGTH);
		if (header && body.equals(plantedBody)) {
			return "api-1's own fill of patient " + id + " stored the same header and body";
		}
		return "api-1's own fill of patient " + id + " differs: stored " + stored + ", planted " + planted;
	}

	record Deletes(long first, long last, int notSeen) {
	}

	/**
	 * The first and last of the patients' deletes after {@code sent}, and how many never came. The
	 * first invalidation of a key after the update was sent is the update's: nothing else writes
	 * these rows meanwhile.
	 */
	static Deletes deletes(Map<String, List<Long>> seen, long firstId, long lastId, long sent, LongFunction<String> key) {
		long first = Long.MAX_VALUE;
		long last = Long.MIN_VALUE;
		int notSeen = 0;
		for (long id = firstId; id <= lastId; id++) {
			long at = seen.getOrDefault(key.apply(id), List.of()).stream().mapToLong(Long::longValue)
				.filter((time) -> time >= sent).min().orElse(Long.MIN_VALUE);
			if (at == Long.MIN_VALUE) {
				notSeen++;
				continue;
			}
			first = Math.min(first, at);
			last = Math.max(last, at);
		}
		return new Deletes(first, last, notSeen);
	}

	private static long scalar(Connection sql, String query) throws Exception {
		try (Statement statement = sql.createStatement(); ResultSet row = statement.executeQuery(query)) {
			row.next();
			return row.getLong(1);
		}
	}
}
