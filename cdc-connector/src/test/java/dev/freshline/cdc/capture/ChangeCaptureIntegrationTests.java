package dev.freshline.cdc.capture;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

import io.debezium.engine.ChangeEvent;
import io.debezium.engine.DebeziumEngine;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

import dev.freshline.cdc.ConnectorProperties;
import dev.freshline.embedded.Directories;
import dev.freshline.embedded.SharedServers;
import dev.freshline.embedded.TestDatabase;
import dev.freshline.model.RuleSet;
import dev.freshline.model.Topics;
import dev.freshline.support.TopicSettings;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The flushes the connector owes, against a real Postgres and a real Debezium engine: after a
 * failed engine that was stopped during its restart back-off, after lost offsets and after a
 * new slot, the guard's TRUNCATE flush requests reach the publisher before streaming resumes;
 * after a clean stop they do not. The publisher records instead of sending: Kafka is not what
 * these tests are about.
 */
class ChangeCaptureIntegrationTests {

	private static final RuleSet RULES = RuleSet.loadDefault();

	private static final Duration AN_HOUR = Duration.ofHours(1);

	private final TestDatabase database = SharedServers.get().newDatabase();

	private final String slot = SharedServers.uniqueName("capture");

	private final Topics topics = new Topics(this.slot);

	private final Path directory = createTempDirectory();

	private final Path offsets = this.directory.resolve("offsets.dat");

	private final Path marker = this.directory.resolve("offsets.dat.clean-stop");

	/** One line per flush request: its topic, and whether the slot existed when it was published. */
	private final List<String> flushes = new CopyOnWriteArrayList<>();

	private final List<ChangeCapture> captures = new ArrayList<>();

	private final AdjustableClock clock = new AdjustableClock();

	private final CaptureProgress progress = new CaptureProgress(properties(), this.clock);

	private final ScriptedConsumer consumer = new ScriptedConsumer(this.progress);

	/**
	 * A Debezium engine takes a few seconds to start on a loaded 2-core machine. A factory per call,
	 * not Awaitility's global defaults, which would change how every later test class waits.
	 */
	private static ConditionFactory await() {
		return await("a condition");
	}

	private static ConditionFactory await(String alias) {
		return Awaitility.await(alias).atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20));
	}

	@BeforeEach
	void createSchema() throws Exception {
		String schema = new String(getClass().getResourceAsStream("/capture-schema.sql").readAllBytes(),
				StandardCharsets.UTF_8);
		try (Connection connection = this.database.connect(this.database.owner());
				Statement sql = connection.createStatement()) {
			sql.execute(schema);
		}
	}

	@AfterEach
	void cleanUp() {
		this.captures.forEach(ChangeCapture::stop);
		SharedServers.get()
			.postgres()
			.execute("postgres", "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '"
					+ this.slot + "'");
		SharedServers.get().dropDatabase(this.database);
		Directories.deleteRecursively(this.directory);
	}

	@Test
	void shouldNotFlushAfterACleanStop() throws Exception {
		ChangeCapture first = startCapture(AN_HOUR);
		first.stop();
		assertThat(this.marker).exists();
		this.flushes.clear();

		startCapture(AN_HOUR);
		long published = this.progress.published();
		await().until(() -> this.progress.published() > published);

		assertThat(this.flushes).isEmpty();
	}

	@Test
	void shouldOweTheFlushWhenStoppedDuringTheRestartBackOffOfAFailedEngine() throws Exception {
		ChangeCapture capture = startCapture(AN_HOUR);
		this.flushes.clear();

		this.consumer.failNextBatch();
		await("engine failed, restart scheduled").until(() -> capture.restartsScheduled() == 1);
		// the restart (which would have flushed) is an hour away: this stop cancels it
		capture.stop();

		assertThat(this.marker).as("a stop that cancels an owed flush is not clean").doesNotExist();
		startCapture(AN_HOUR);
		assertThat(this.flushes).containsExactlyInAnyOrder(flushOf("formulary_item"), flushOf("patient"));
	}

	@Test
	void shouldStartTheBackOffAgainOnceARestartedEngineRanHealthily() throws Exception {
		Duration first = Duration.ofMillis(50);
		ChangeCapture capture = startCapture(first);

		this.consumer.failNextBatch();
		await().until(() -> capture.restartsScheduled() == 1);
		assertThat(capture.lastRestartDelay()).isEqualTo(first.toMillis());
		long published = this.progress.published();
		await("restarted engine published a batch").until(() -> this.progress.published() > published);

		this.consumer.failNextBatch();
		await().until(() -> capture.restartsScheduled() == 2);
		assertThat(capture.lastRestartDelay()).as("back-off after a healthy run").isEqualTo(first.toMillis());
	}

	@Test
	void shouldReportDownWhileAFailedEngineWaitsForItsRestartAndUpOnceTheRestartedEngineStreams() throws Exception {
		ChangeCapture capture = startCapture(Duration.ofSeconds(5));
		assertThat(this.progress.health().getStatus()).isEqualTo(Status.UP);

		this.consumer.failNextBatch();
		await("engine failed, restart scheduled").until(() -> capture.restartsScheduled() == 1);
		// past any stall window with no batch since the failure (the restart is 5 s away)
		this.clock.advance(AN_HOUR);

		Health stalled = this.progress.health();
		assertThat(stalled.getStatus()).isEqualTo(Status.DOWN);
		assertThat(stalled.getDetails()).as("the failure is named").containsKey("lastError");
		long published = this.progress.published();
		await("restarted engine published a batch").until(() -> this.progress.published() > published);
		Health restarted = this.progress.health();
		assertThat(restarted.getStatus()).isEqualTo(Status.UP);
		assertThat(restarted.getDetails()).doesNotContainKey("lastError");
	}

	@Test
	void shouldFlushAfterTheSlotExistsWhenStartingWithoutOffsets() throws Exception {
		startCapture(AN_HOUR).stop();
		assertThat(this.marker).exists();
		Files.delete(this.offsets); // a lost volume, or offsets deleted to recover from a lost slot
		this.flushes.clear();

		startCapture(AN_HOUR);

		awaitAFlushOfEveryCapturedTable();
	}

	@Test
	void shouldFlushAfterTheNewSlotExistsWhenRecoveringFromALostSlot() throws Exception {
		startCapture(AN_HOUR).stop();
		assertThat(this.marker).exists();
		// the usual recovery from an invalidated slot: drop it and the offsets (with the offsets
		// kept, Debezium 3.6.1 refuses to stream from a new slot: "no longer available on the server")
		SharedServers.get().postgres().execute("postgres", "SELECT pg_drop_replication_slot('" + this.slot + "')");
		Files.delete(this.offsets);
		this.flushes.clear();

		startCapture(AN_HOUR);

		awaitAFlushOfEveryCapturedTable();
	}

	/**
	 * An operator (or a script cleaning up slots) terminates the walsender and drops the slot while
	 * the engine streams. Whatever recreates the slot streams only from its creation: the changes
	 * committed in between are never published, so a flush is owed before streaming resumes, and
	 * streaming must resume.
	 */
	@Test
	void shouldFlushAndStreamAgainWhenTheSlotIsDroppedWhileTheEngineRuns() throws Exception {
		ChangeCapture capture = startCapture(Duration.ofMillis(50));
		this.flushes.clear();

		dropTheSlotUnderTheEngine();
		insertPatient("committed while no slot existed");

		awaitAFlushOfEveryCapturedTable();
		assertThat(capture.isRunning()).isTrue();
		int rows = this.consumer.rows.size();
		insertPatient("committed after the recovery");
		await("streaming again").until(() -> this.consumer.rows.size() > rows);
	}

	@Test
	void shouldSetAsideOffsetsOlderThanARecreatedSlotFlushAndStream() throws Exception {
		startCapture(AN_HOUR).stop();
		assertThat(this.marker).exists();
		SharedServers.get().postgres().execute("postgres", "SELECT pg_drop_replication_slot('" + this.slot + "')");
		insertPatient("committed while no slot existed");
		// created again by someone else, past that commit: the stored offset is older than its restart LSN
		SharedServers.get().postgres().execute(this.database.name(),
				"SELECT pg_create_logical_replication_slot('" + this.slot + "', 'pgoutput')");
		this.flushes.clear();
		int rows = this.consumer.rows.size();

		startCapture(AN_HOUR);

		awaitAFlushOfEveryCapturedTable();
		assertThat(Files.list(this.directory).map((file) -> file.getFileName().toString()))
			.anyMatch((name) -> name.startsWith("offsets.dat.unservable-"));
		insertPatient("committed after the recovery");
		await("streaming from the new slot").until(() -> this.consumer.rows.size() > rows);
	}

	private void dropTheSlotUnderTheEngine() {
		String slot = "'" + this.slot + "'";
		await("slot " + this.slot + " dropped under the running engine").ignoreExceptions().untilAsserted(() -> {
			SharedServers.get().postgres().execute("postgres", "SELECT pg_terminate_backend(active_pid) FROM "
					+ "pg_replication_slots WHERE slot_name = " + slot + " AND active_pid IS NOT NULL");
			SharedServers.get().postgres().execute("postgres", "SELECT pg_drop_replication_slot(" + slot + ")");
			assertThat(slotExists()).isFalse();
		});
	}

	private void insertPatient(String ward) throws Exception {
		try (Connection connection = this.database.connect(this.database.owner());
				PreparedStatement insert = connection.prepareStatement("INSERT INTO patient (ward) VALUES (?)")) {
			insert.setString(1, ward);
			insert.executeUpdate();
		}
	}

	@Test
	void shouldOweAFlushWhenACleanStopFallsBetweenBatchesOfOneTransaction() throws Exception {
		// batches of 5, so the rows of one COPY (which share one LSN) span several batches
		Map<String, String> smallBatches = Map.of("max.batch.size", "5");
		ChangeCapture capture = startCapture(AN_HOUR, smallBatches);
		this.flushes.clear();
		this.consumer.pauseAfterFirstBatchOfRows();

		copyPatients(20);
		await("first batch of the COPY marked").until(this.consumer::paused);
		CompletableFuture<Void> stopped = CompletableFuture.runAsync(capture::stop);
		await().until(() -> !capture.isRunning());
		this.consumer.resume();
		stopped.get(60, TimeUnit.SECONDS);
		int beforeStop = this.consumer.rows.size();

		startCapture(AN_HOUR, smallBatches);
		long published = this.progress.published();
		await("a few batches after the restart").until(() -> this.progress.published() > published + 3);

		// Debezium 3.6.1 resumes after the last acknowledged LSN, skipping the rest of the COPY (seen:
		// 3 of 20 rows arrived), so the stop was not clean and the restart owes a flush
		assertThat(this.flushes).as("%d of 20 rows arrived (%d before the stop)", this.consumer.rows.size(), beforeStop)
			.containsExactlyInAnyOrder(flushOf("formulary_item"), flushOf("patient"));
	}


	private void awaitAFlushOfEveryCapturedTable() {
		await().atMost(Duration.ofSeconds(30))
			.untilAsserted(() -> assertThat(this.flushes).containsExactlyInAnyOrder(flushOf("formulary_item"),
					flushOf("patient")));
	}
	private void copyPatients(int rows) throws Exception {
		StringBuilder data = new StringBuilder();
		for (int i = 0; i < rows; i++) {
			data.append("copied\n");
		}
		try (Connection connection = this.database.connect(this.database.owner())) {
			new org.postgresql.copy.CopyManager(connection.unwrap(org.postgresql.core.BaseConnection.class))
				.copyIn("COPY patient (ward) FROM STDIN", new java.io.StringReader(data.toString()));
		}
	}

	private ChangeCapture startCapture(Duration firstRestartDelay) {
		return startCapture(firstRestartDelay, Map.of());
	}

	/** A started capture whose engine has published a batch (the slot exists) and flushed its offsets. */
	private ChangeCapture startCapture(Duration firstRestartDelay, Map<String, String> debezium) {
		UncleanStopGuard guard = new UncleanStopGuard(properties(debezium), RULES, this::record, new SimpleMeterRegistry());
		ChangeCapture capture = new ChangeCapture(properties(debezium), this.consumer, this.progress, RULES, guard,
				firstRestartDelay, new WatermarkMarkers(properties(debezium), RULES, (watermark, topics, stopping) -> {
				}, (record) -> null));
		this.captures.add(capture);
		long published = this.progress.published();
		capture.start();
		await("engine streaming").until(() -> this.progress.published() > published && Files.exists(this.offsets));
		return capture;
	}

	private void record(List<ChangeEvent<byte[], byte[]>> records, BooleanSupplier stopping) {
		boolean slotExists = slotExists();
		records.forEach((record) -> this.flushes.add(record.destination() + (slotExists ? "" : " before the slot existed")));
	}

	private String flushOf(String table) {
		return this.topics.changes(table);
	}

	private boolean slotExists() {
		try (Connection connection = this.database.connect(this.database.owner());
				PreparedStatement query = connection
					.prepareStatement("SELECT count(*) FROM pg_replication_slots WHERE slot_name = ?")) {
			query.setString(1, this.slot);
			try (ResultSet rows = query.executeQuery()) {
				rows.next();
				return rows.getInt(1) == 1;
			}
		}
		catch (SQLException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static Path createTempDirectory() {
		try {
			return Files.createTempDirectory("capture-");
		}
		catch (java.io.IOException ex) {
			throw new java.io.UncheckedIOException(ex);
		}
	}

	private ConnectorProperties properties() {
		return properties(Map.of());
	}

	private ConnectorProperties properties(Map<String, String> debezium) {
		return new ConnectorProperties(this.slot, RuleSet.DEFAULT_LOCATION,
				new ConnectorProperties.Database(this.database.host(), this.database.port(), this.database.name(),
						this.database.cdc().name(), this.database.cdc().password()),
				new ConnectorProperties.Capture(this.slot, "freshline", this.offsets, Duration.ofMillis(10),
						Duration.ofMillis(200), Duration.ofMillis(100)),
				new ConnectorProperties.Markers(false, Duration.ofMillis(50)), new TopicSettings(1, (short) 1, null), debezium);
	}

	/** Marks every batch processed, as the Kafka publisher does once Kafka acknowledged it, or fails one on demand. */
	static final class ScriptedConsumer implements DebeziumEngine.ChangeConsumer<ChangeEvent<byte[], byte[]>> {

		private final AtomicBoolean failNext = new AtomicBoolean();

		private final CaptureProgress progress;

		/** The keys of the rows handled, across engines. */
		final java.util.Set<String> rows = java.util.concurrent.ConcurrentHashMap.newKeySet();

		private volatile CountDownLatch pause = new CountDownLatch(0);

		private volatile boolean paused;

		ScriptedConsumer(CaptureProgress progress) {
			this.progress = progress;
		}

		void failNextBatch() {
			this.failNext.set(true);
		}

		/** Named point: after the first batch holding rows was marked processed, before the engine gets it back. */
		void pauseAfterFirstBatchOfRows() {
			this.pause = new CountDownLatch(1);
		}

		boolean paused() {
			return this.paused;
		}

		void resume() {
			this.pause.countDown();
		}

		@Override
		public void handleBatch(List<ChangeEvent<byte[], byte[]>> records,
				DebeziumEngine.RecordCommitter<ChangeEvent<byte[], byte[]>> committer) throws InterruptedException {
			if (this.failNext.getAndSet(false)) {
				throw new IllegalStateException("injected failure: the engine stops with an error");
			}
			for (ChangeEvent<byte[], byte[]> record : records) {
				committer.markProcessed(record);
			}
			committer.markBatchFinished();
			this.progress.batchPublished(records.size());
			List<String> keys = records.stream()
				.filter((record) -> record.destination().endsWith(".patient") && record.key() != null)
				.map((record) -> new String(record.key(), StandardCharsets.UTF_8))
				.toList();
			this.rows.addAll(keys);
			if (!keys.isEmpty() && this.pause.getCount() > 0) {
				this.paused = true;
				this.pause.await();
			}
		}
	}

	/** The system clock, moved forward by the test: a stall window passes without waiting it out. */
	static final class AdjustableClock extends java.time.Clock {

		private volatile Duration offset = Duration.ZERO;

		void advance(Duration by) {
			this.offset = this.offset.plus(by);
		}

		@Override
		public java.time.ZoneId getZone() {
			return java.time.ZoneOffset.UTC;
		}

		@Override
		public java.time.Clock withZone(java.time.ZoneId zone) {
			return this;
		}

		@Override
		public java.time.Instant instant() {
			return java.time.Instant.now().plus(this.offset);
		}
	}
}
