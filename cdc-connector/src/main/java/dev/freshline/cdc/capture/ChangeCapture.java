package dev.freshline.cdc.capture;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.debezium.engine.ChangeEvent;
import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.format.JsonByteArray;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

import dev.freshline.cdc.ConnectorProperties;
import dev.freshline.model.RuleSet;
import dev.freshline.support.PostgresSchemaCheck;

/**
 * Owns the Debezium engine's life: starts it with the application, restarts it with capped
 * back-off whenever it stops with an error (an engine that gave up must never leave the
 * connector silently idle), and closes it cleanly on shutdown so offsets are flushed. The back-off
 * starts again from its first step once an engine ran healthily (published a batch). Each
 * engine's batches pass {@link UncleanStopGuard} first, which publishes any flush it owes.
 */
@Component
class ChangeCapture implements SmartLifecycle {

	private static final Logger log = LoggerFactory.getLogger(ChangeCapture.class);

	private static final Duration MAX_RESTART_DELAY = Duration.ofSeconds(30);

	private static final Duration FIRST_RESTART_DELAY = Duration.ofMillis(500);

	private final ConnectorProperties properties;

	private final DebeziumEngine.ChangeConsumer<ChangeEvent<byte[], byte[]>> publisher;

	private final CaptureProgress progress;

	private final RuleSet rules;

	private final UncleanStopGuard uncleanStop;

	private final WatermarkMarkers markers;

	private final ExecutorService engineThread = Executors.newSingleThreadExecutor(named("debezium-engine"));

	private final ScheduledExecutorService restarts = Executors.newSingleThreadScheduledExecutor(named("debezium-restart"));

	private volatile @Nullable DebeziumEngine<ChangeEvent<byte[], byte[]>> engine;

	private volatile boolean running;

	private volatile int failures;

	private final Duration firstRestartDelay;

	private volatile long lastRestartDelay;

	private volatile int restartsScheduled;

	private volatile long publishedAtLaunch;

	@Autowired
	ChangeCapture(ConnectorProperties properties, DebeziumEngine.ChangeConsumer<ChangeEvent<byte[], byte[]>> publisher,
			MarkerPublisher markerPublisher, RecordOffsets offsets, CaptureProgress progress, RuleSet rules,
			UncleanStopGuard uncleanStop) {
		this(properties, publisher, progress, rules, uncleanStop, FIRST_RESTART_DELAY,
				new WatermarkMarkers(properties, rules, markerPublisher, offsets));
	}

	/** Tests choose the first back-off: an hour to stop during it, a few milliseconds to fail often. */
	ChangeCapture(ConnectorProperties properties, DebeziumEngine.ChangeConsumer<ChangeEvent<byte[], byte[]>> publisher,
			CaptureProgress progress, RuleSet rules, UncleanStopGuard uncleanStop, Duration firstRestartDelay,
			WatermarkMarkers markers) {
		this.firstRestartDelay = firstRestartDelay;
		this.markers = markers;
		this.properties = properties;
		this.rules = rules;
		this.uncleanStop = uncleanStop;
		this.publisher = publisher;
		this.progress = progress;
	}

	@Override
	public synchronized void start() {
		checkSchema();
		// once: restarts reuse it, and the clean-stop marker is written next to the offsets
		createOffsetDirectory(this.properties.capture().offsetFile());
		this.uncleanStop.beforeStart();
		this.running = true;
		launch();
	}

	/**
	 * Refuses to start when Postgres cannot deliver what the rules need (a table outside the
	 * publication, a replica identity without the key columns): capturing anyway would drop
	 * invalidations silently. The message names the SQL that fixes each problem.
	 */
	private void checkSchema() {
		ConnectorProperties.Database database = this.properties.database();
		new PostgresSchemaCheck(this.rules).verify(database.jdbcUrl(), database.user(), database.password(),
				this.properties.capture().publicationName());
		log.info("Schema check passed: tables {} are published with the columns their keys need",
				this.rules.tables().keySet());
	}

	private synchronized void launch() {
		if (!this.running) {
			return;
		}
		DebeziumEngine<ChangeEvent<byte[], byte[]>> created = DebeziumEngine.create(JsonByteArray.class)
			.using(DebeziumSettings.from(this.properties, this.rules))
			.notifying(this::handleBatch)
			.using(this::engineStopped)
			.build();
		this.engine = created;
		this.markers.engineStarted();
		this.publishedAtLaunch = this.progress.published();
		this.progress.engineStarted();
		log.info("Starting Debezium engine: slot={}, publication={}, database={}", this.properties.capture().slotName(),
				this.properties.capture().publicationName(), this.properties.database());
		this.engineThread.execute(created);
	}

	/**
	 * A flush owed since this engine started goes out before its first batch is handled; a marker,
	 * if one is due, only after the batch returned, i.e. after Kafka acknowledged all of it.
	 */
	private void handleBatch(List<ChangeEvent<byte[], byte[]>> records,
			DebeziumEngine.RecordCommitter<ChangeEvent<byte[], byte[]>> committer) throws InterruptedException {
		this.uncleanStop.beforeBatch(() -> !this.running);
		this.publisher.handleBatch(records, committer);
		this.markers.afterBatch(records, () -> !this.running);
	}

	private void engineStopped(boolean success, String message, @Nullable Throwable error) {
		this.progress.engineStopped(success ? null : message);
		if (!success || this.running) {
			// whatever happens next (a restart, or a stop during its back-off), a flush is owed
			this.uncleanStop.engineFailed(message);
		}
		if (this.progress.published() > this.publishedAtLaunch) {
			// it ran healthily before it failed: start the back-off again from its first step
			this.failures = 0;
		}
		if (!this.running) {
			log.info("Debezium engine stopped: {}", message);
			return;
		}
		long delay = Math.min(MAX_RESTART_DELAY.toMillis(), this.firstRestartDelay.toMillis() << Math.min(this.failures++, 6));
		this.lastRestartDelay = delay;
		this.restartsScheduled++; // only the engine's callback writes
		log.error("Debezium engine stopped unexpectedly ({}); restarting in {} ms", message, delay, error);
		scheduleRestart(delay);
	}

	private void scheduleRestart(long delay) {
		this.restarts.schedule(() -> {
			try {
				// an engine that failed restarts from its offsets just as after a crash
				this.uncleanStop.beforeStart();
				launch();
			}
			catch (RuntimeException ex) {
				// a scheduled task's exception would vanish with it: log it and try again later
				long next = Math.min(MAX_RESTART_DELAY.toMillis(), delay * 2);
				log.error("Restarting the Debezium engine failed; trying again in {} ms", next, ex);
				scheduleRestart(next);
			}
		}, delay, TimeUnit.MILLISECONDS);
	}

	@Override
	public synchronized void stop() {
		this.running = false;
		DebeziumEngine<ChangeEvent<byte[], byte[]>> current = this.engine;
		if (current != null) {
			try {
				current.close();
			}
			catch (IllegalStateException ex) {
				// an engine that failed (a restart is in its back-off) is shut down already; throwing
				// here would skip cancelling that restart below
				log.info("Debezium engine was already stopped: {}", ex.getMessage());
			}
			catch (IOException ex) {
				log.warn("Closing the Debezium engine failed", ex);
			}
		}
		this.restarts.shutdownNow();
		this.engineThread.shutdown();
		try {
			if (this.engineThread.awaitTermination(30, TimeUnit.SECONDS)) {
				this.uncleanStop.afterCleanStop();
			}
			else {
				log.warn("Debezium engine did not stop within 30 s; the next start flushes the captured namespaces");
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	/** The back-off before the last restart, in milliseconds: what the tests check. */
	long lastRestartDelay() {
		return this.lastRestartDelay;
	}

	/** How many restarts a failed engine scheduled so far. */
	int restartsScheduled() {
		return this.restartsScheduled;
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	@Override
	public int getPhase() {
		// Stop the engine before the Kafka producer it publishes through.
		return Integer.MAX_VALUE - 100;
	}

	private static void createOffsetDirectory(Path offsetFile) {
		Path parent = offsetFile.toAbsolutePath().getParent();
		try {
			Files.createDirectories(parent);
		}
		catch (IOException ex) {
			throw new IllegalStateException("Cannot create the offset directory " + parent, ex);
		}
	}

	private static java.util.concurrent.ThreadFactory named(String name) {
		return (runnable) -> {
			Thread thread = new Thread(runnable, name);
			thread.setDaemon(false);
			return thread;
		};
	}
}
