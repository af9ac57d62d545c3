package dev.freshline.races;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.lettuce.core.KeyValue;
import org.awaitility.core.ConditionTimeoutException;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

import dev.freshline.api.cache.FillHooks;
import dev.freshline.model.Invalidation;
import dev.freshline.pipeline.Http;
import dev.freshline.pipeline.PipelineStack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The torture checker (scripts/torture): readers hammer a small set of hot patients through both
 * API instances while writers update them with raw SQL; every read and every committed write is
 * recorded. Then it checks I1 (once quiet, no cached entry is older than its row) and measures
 * I2 (each read's staleness: its start minus the commit of the first newer write that had
 * completed before it). The same run against the textbook cache-aside must leave stale entries,
 * or the checker has not shown it can see them. Both runs pause between load and fill, as a GC
 * pause or a slow network would (see {@link PauseBeforeFill}), to widen the race equally, and
 * readers go on after the last write until the change stream has applied every write (each
 * written id's floor at its row's version, the invalidators' lag 0): a stale fill can only
 * survive the last invalidation of its key, which lands in that window.
 */
class TortureIntegrationTests {

	private static final Pattern VERSION = Pattern.compile("\"version\":(\\d+)");

	private static final int HOT_PATIENTS = 20;

	private static final long FIRST_ID = 1500;

	private static final int READERS = 8;

	private static final int WRITERS = 2;

	private static final int WRITES_PER_SECOND_PER_WRITER = 50;

	private static final int READS_PER_SECOND_PER_READER = 60;

	private static final int MAX_FILL_PAUSE_MILLIS = 800;

	/** How long the change stream may take to apply every write once the writers stopped. */
	private static final Duration QUIESCENCE_TIMEOUT = Duration.ofSeconds(60);

	@Test
	void shouldLeaveNoStaleEntryWhereNaiveCacheAsideDoes() throws Exception {
		Duration duration = Duration.ofSeconds(Long.getLong("torture.seconds", 25));
		Run freshline = run("LEASED", duration);
		Run naive = run("NAIVE", duration);

		double[] staleness = freshline.staleness();
		String result = String.format(
				"RESULT stale_after_quiescence=%d naive_stale_after_quiescence=%d reads=%d writes=%d staleness_p50_ms=%.1f staleness_p99_ms=%.1f staleness_max_ms=%.1f",
				freshline.staleAfterQuiescence, naive.staleAfterQuiescence, freshline.reads.size(),
				freshline.writes.size(), percentile(staleness, 0.50), percentile(staleness, 0.99),
				staleness.length == 0 ? 0 : staleness[staleness.length - 1]);
		report(duration, freshline, naive, result);

		assertThat(freshline.quiescence).as("quiescence of the Freshline run").isNull();
		assertThat(naive.quiescence).as("quiescence of the naive run").isNull();
		assertThat(freshline.reads).isNotEmpty();
		assertThat(freshline.writes).isNotEmpty();
		assertThat(naive.staleAfterQuiescence).as("the checker must see the staleness naive cache-aside leaves")
			.isPositive();
		assertThat(freshline.staleAfterQuiescence).as("stale entries left by Freshline").isZero();
	}

	private Run run(String protocol, Duration duration) throws Exception {
		PauseBeforeFill hooks = new PauseBeforeFill();
		try (PipelineStack stack = PipelineStack.start(Map.of("freshline.api.cache.protocol", protocol), hooks)) {
			Run run = new Run(protocol);
			AtomicBoolean reading = new AtomicBoolean(true);
			AtomicBoolean writing = new AtomicBoolean(true);
			ExecutorService threads = Executors.newFixedThreadPool(READERS + WRITERS);
			List<Future<?>> readers = new ArrayList<>();
			List<Future<?>> writers = new ArrayList<>();
			for (int i = 0; i < READERS; i++) {
				int instance = 1 + i % 2;
				readers.add(threads.submit(() -> read(stack, instance, reading, run)));
			}
			for (int i = 0; i < WRITERS; i++) {
				writers.add(threads.submit(() -> write(stack, writing, run)));
			}
			long end = System.nanoTime() + duration.toNanos();
			await().atMost(duration.plusSeconds(30)).until(() -> System.nanoTime() >= end);
			writing.set(false);
			for (Future<?> writer : writers) {
				writer.get(60, TimeUnit.SECONDS);
			}
			// the last commit, after every writer stopped: the connector publishes in commit order, so
			// once its floor is reached every earlier change is in Kafka
			try (Connection connection = stack.connect()) {
				move(connection, FIRST_ID, run);
			}
			// readers go on until the whole change stream is applied: a stale fill can only survive the
			// last invalidation of its key, and that lands during this wait, not after a fixed tail
			long lastWrite = System.nanoTime();
			run.quiescence = awaitQuiescence(stack, run);
			run.quiescenceMillis = (System.nanoTime() - lastWrite) / 1_000_000;
			reading.set(false);
			for (Future<?> reader : readers) {
				reader.get(60, TimeUnit.SECONDS);
			}
			threads.shutdown();
			run.staleAfterQuiescence = staleEntries(stack);
			return run;
		}
	}

	private static void read(PipelineStack stack, int instance, AtomicBoolean running, Run run) {
		long interval = TimeUnit.SECONDS.toNanos(1) / READS_PER_SECOND_PER_READER;
		long next = System.nanoTime();
		while (running.get()) {
			next += interval;
			LockSupport.parkNanos(Math.max(0, next - System.nanoTime())); // open-loop pacing
			long id = FIRST_ID + ThreadLocalRandom.current().nextInt(HOT_PATIENTS);
			long start = System.nanoTime();
			try {
				String body = Http.get(stack.apiUrl(instance) + "/patients/" + id).body();
				run.reads.add(new Read(id, version(body), start, System.nanoTime()));
			}
			catch (Exception ex) {
				throw new IllegalStateException(ex);
			}
		}
	}

	private static void write(PipelineStack stack, AtomicBoolean running, Run run) {
		long interval = TimeUnit.SECONDS.toNanos(1) / WRITES_PER_SECOND_PER_WRITER;
		try (Connection connection = stack.connect()) {
			long next = System.nanoTime();
			while (running.get()) {
				move(connection, FIRST_ID + ThreadLocalRandom.current().nextInt(HOT_PATIENTS), run);
				next += interval;
				LockSupport.parkNanos(Math.max(0, next - System.nanoTime())); // open-loop pacing
			}
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}

	/** Moves a patient to another ward with raw SQL: the patient key and two ward keys change. */
	private static void move(Connection connection, long id, Run run) throws Exception {
		try (PreparedStatement update = connection
			.prepareStatement("UPDATE patient SET ward = 'ward-t' || ? WHERE id = ? RETURNING version")) {
			update.setInt(1, ThreadLocalRandom.current().nextInt(8));
			update.setLong(2, id);
			try (ResultSet row = update.executeQuery()) {
				row.next();
				run.writes.add(new Write(id, row.getLong(1), System.nanoTime()));
			}
		}
	}

	/**
	 * Waits until the change stream has applied every write: for every written id, its floor in
	 * Redis has reached the row's version (deleted rows: {@link Invalidation#DELETED}), and the
	 * invalidators' committed offsets have reached the end of every topic they read. Returns null
	 * once quiet, else what was still outstanding when the wait gave up.
	 */
	private static @Nullable String awaitQuiescence(PipelineStack stack, Run run) {
		AtomicReference<String> outstanding = new AtomicReference<>("not checked yet");
		try {
			await().atMost(QUIESCENCE_TIMEOUT)
				.pollInterval(Duration.ofMillis(200))
				.until(() -> {
					outstanding.set(outstanding(stack, run));
					return outstanding.get() == null;
				});
			return null;
		}
		catch (ConditionTimeoutException ex) {
			return "not reached within " + QUIESCENCE_TIMEOUT.toSeconds() + " s: " + outstanding.get();
		}
	}

	private static @Nullable String outstanding(PipelineStack stack, Run run) throws Exception {
		Map<Long, Long> expected = new TreeMap<>();
		run.writes.forEach((write) -> expected.put(write.id(), Invalidation.DELETED));
		try (Connection connection = stack.connect();
				PreparedStatement query = connection.prepareStatement("SELECT id, version FROM patient WHERE id = ANY(?)")) {
			query.setArray(1, connection.createArrayOf("bigint", expected.keySet().toArray()));
			try (ResultSet rows = query.executeQuery()) {
				while (rows.next()) {
					expected.put(rows.getLong(1), rows.getLong(2));
				}
			}
		}
		String[] floorKeys = expected.keySet().stream().map((id) -> stack.keys().floor(stack.keys().patient(id))).toArray(String[]::new);
		List<String> behind = new ArrayList<>();
		List<KeyValue<String, String>> floors = stack.redis().mget(floorKeys);
		int i = 0;
		for (Map.Entry<Long, Long> row : expected.entrySet()) {
			KeyValue<String, String> floor = floors.get(i++);
			long reached = floor.hasValue() ? Long.parseLong(floor.getValue()) : 0;
			if (reached < row.getValue()) {
				behind.add(row.getKey() + " (floor " + reached + " < " + row.getValue() + ")");
			}
		}
		if (!behind.isEmpty()) {
			return behind.size() + " written ids whose floor is below the row's version, e.g. "
					+ behind.subList(0, Math.min(3, behind.size()));
		}
		return stack.invalidatorsCaughtUp() ? null : "invalidator lag above 0 (committed offsets behind the topic ends)";
	}

	/** Cached entries whose version is below the row's, once everything is quiet (I1). */
	private static int staleEntries(PipelineStack stack) throws Exception {
		int stale = 0;
		try (Connection connection = stack.connect();
				PreparedStatement query = connection.prepareStatement("SELECT version FROM patient WHERE id = ?")) {
			for (long id = FIRST_ID; id < FIRST_ID + HOT_PATIENTS; id++) {
				String cached = stack.redis().get(stack.keys().patient(id));
				if (cached == null) {
					continue;
				}
				query.setLong(1, id);
				try (ResultSet row = query.executeQuery()) {
					row.next();
					if (version(cached) < row.getLong(1)) {
						stale++;
					}
				}
			}
		}
		return stale;
	}

	private static long version(String json) {
		Matcher version = VERSION.matcher(json);
		if (!version.find()) {
			throw new IllegalStateException("no version in a patient read");
		}
		return Long.parseLong(version.group(1));
	}

	private static double percentile(double[] sorted, double p) {
		return (sorted.length == 0) ? 0 : sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
	}

	private static void report(Duration duration, Run freshline, Run naive, String result) throws IOException {
		String report = String.format("torture: %d s per run, %d readers at %d/s each over 2 API instances, %d writers at %d/s each, "
				+ "%d hot patients, 0-20 ms (1 in 5: 200-%d ms) between load and fill%n"
				+ "machine: %d cores, %s %s%n"
				+ "freshline: %d reads, %d writes, %d stale reads, %d stale entries after quiescence%n"
				+ "naive:     %d reads, %d writes, %d stale reads, %d stale entries after quiescence%n"
				+ "quiescence (every written id's floor at its row's version, invalidator lag 0): freshline %s, naive %s%n%s%n",
				duration.toSeconds(), READERS, READS_PER_SECOND_PER_READER, WRITERS, WRITES_PER_SECOND_PER_WRITER,
				HOT_PATIENTS, MAX_FILL_PAUSE_MILLIS,
				Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.name"),
				System.getProperty("java.version"), freshline.reads.size(), freshline.writes.size(),
				freshline.staleReads(), freshline.staleAfterQuiescence, naive.reads.size(), naive.writes.size(),
				naive.staleReads(), naive.staleAfterQuiescence, freshline.quiescenceReport(), naive.quiescenceReport(), result);
		System.out.print(report);
		Path file = Path.of("target", "torture", "report.txt");
		Files.createDirectories(file.getParent());
		Files.writeString(file, report);
	}

	record Read(long id, long version, long startNanos, long endNanos) {
	}

	record Write(long id, long version, long committedNanos) {
	}

	/** Everything one run recorded. */
	static final class Run {

		final String protocol;

		final ConcurrentLinkedQueue<Read> reads = new ConcurrentLinkedQueue<>();

		final ConcurrentLinkedQueue<Write> writes = new ConcurrentLinkedQueue<>();

		int staleAfterQuiescence;

		/** Null once every write was applied; else what was outstanding when the wait gave up. */
		@Nullable String quiescence;

		long quiescenceMillis;

		Run(String protocol) {
			this.protocol = protocol;
		}

		/**
		 * Per read: its start minus the earliest commit, among writes newer than what it returned,
		 * that had completed before the read started; 0 for a read that saw the latest completed
		 * write. Sorted ascending, in milliseconds.
		 */
		double[] staleness() {
			Map<Long, List<Write>> byPatient = new HashMap<>();
			this.writes.forEach((write) -> byPatient.computeIfAbsent(write.id(), (id) -> new ArrayList<>()).add(write));
			double[] staleness = new double[this.reads.size()];
			int i = 0;
			for (Read read : this.reads) {
				long earliest = Long.MAX_VALUE;
				for (Write write : byPatient.getOrDefault(read.id(), List.of())) {
					if (write.version() > read.version() && write.committedNanos() < read.startNanos()) {
						earliest = Math.min(earliest, write.committedNanos());
					}
				}
				staleness[i++] = (earliest == Long.MAX_VALUE) ? 0 : (read.startNanos() - earliest) / 1e6;
			}
			Arrays.sort(staleness);
			return staleness;
		}

		String quiescenceReport() {
			return (this.quiescence == null) ? "reached " + this.quiescenceMillis + " ms after the last write"
					: "FAILED, " + this.quiescence;
		}

		long staleReads() {
			return Arrays.stream(staleness()).filter((ms) -> ms > 0).count();
		}
	}

	/** The realistic pause between load and fill, the same for both protocols. */
	static final class PauseBeforeFill implements FillHooks {

		/**
		 * Models latency between load and set, not a wait for a condition: most fills pause up to
		 * 20 ms, one in five 200 to 800 ms (a GC pause, a retransmit), longer than the change
		 * stream's lag, which is what lets a stale fill land after its invalidation.
		 */
		@Override
		public void beforeFill(String key) {
			ThreadLocalRandom random = ThreadLocalRandom.current();
			long millis = (random.nextInt(5) == 0) ? 200 + random.nextInt(MAX_FILL_PAUSE_MILLIS - 199) : random.nextInt(21);
			LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(millis));
		}
	}
}
