package dev.freshline.cdc.capture;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import io.debezium.engine.ChangeEvent;
import io.micrometer.core.instrument.MeterRegistry;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.stereotype.Component;

import dev.freshline.cdc.ConnectorProperties;
import dev.freshline.model.ChangeEventWriter;
import dev.freshline.model.Operation;
import dev.freshline.model.RuleSet;
import dev.freshline.model.Topics;

/**
 * Debezium 3.6.1 can skip events that share one LSN (COPY, multi-row INSERT) when the engine
 * restarts in the middle of such a transaction (fixed in 3.7). A clean stop leaves a marker next
 * to the offsets; a start that finds offsets but no marker (a crash, a SIGKILL, an engine that
 * did not stop in time) asks the invalidator to flush every captured table's namespaces before
 * streaming resumes, by publishing a TRUNCATE of each table, the one event that already means
 * "the keys of this table are unknown". The marker is removed on start, so only a stop that
 * completes writes it back.
 */
@Component
class UncleanStopGuard {

	private static final Logger log = LoggerFactory.getLogger(UncleanStopGuard.class);

	private final Path offsets;

	private final Path marker;

	private final RuleSet rules;

	private final Topics topics;

	private final ChangePublisher publisher;

	private final ChangeEventWriter writer = new ChangeEventWriter();

	private final MeterRegistry meters;

	UncleanStopGuard(ConnectorProperties properties, RuleSet rules, ChangePublisher publisher, MeterRegistry meters) {
		this.offsets = properties.capture().offsetFile().toAbsolutePath();
		this.marker = this.offsets.resolveSibling(this.offsets.getFileName() + ".clean-stop");
		this.rules = rules;
		this.topics = new Topics(properties.topicPrefix());
		this.publisher = publisher;
		this.meters = meters;
	}

	/** Before the engine starts: flush downstream if the last stop was not clean. */
	void beforeStart() throws InterruptedException {
		boolean resumed = Files.exists(this.offsets);
		boolean clean = deleteMarker();
		if (!resumed || clean) {
			return;
		}
		this.meters.counter("freshline.cdc.unclean.restarts").increment();
		log.warn("The connector did not stop cleanly last time (no {}): events sharing one LSN may have been "
				+ "skipped, so the invalidator is asked to flush the namespaces of {}", this.marker.getFileName(),
				this.rules.tables().keySet());
		publishFlushes();
	}

	/** After the engine stopped and flushed its offsets. */
	void afterCleanStop() {
		try {
			Files.writeString(this.marker, "stopped cleanly\n");
		}
		catch (IOException ex) {
			// the next start flushes once too many: harmless
			log.warn("Could not write {}: {}", this.marker, ex.toString());
		}
	}

	private boolean deleteMarker() {
		try {
			return Files.deleteIfExists(this.marker);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("cannot remove the clean-stop marker " + this.marker, ex);
		}
	}

	/** Same delivery rule as every batch: the publisher retries until Kafka acknowledged every flush. */
	private void publishFlushes() throws InterruptedException {
		long now = System.currentTimeMillis();
		List<ChangeEvent<String, String>> flushes = this.rules.tables()
			.keySet()
			.stream()
			.<ChangeEvent<String, String>>map((table) -> new FlushRequest(this.topics.changes(table), truncateOf(table, now)))
			.toList();
		this.publisher.publish(flushes);
	}

	private String truncateOf(String table, long now) {
		// Freshline's change event, not Debezium's engine record of the same simple name
		return this.writer.write(new dev.freshline.model.ChangeEvent(Operation.TRUNCATE, table, null, null, now, 0));
	}

	/** A TRUNCATE of one table, keyless as Debezium's own TRUNCATE events are. */
	private record FlushRequest(String destination, String value) implements ChangeEvent<String, String> {

		@Override
		public @Nullable String key() {
			return null;
		}

		@Override
		public @Nullable Integer partition() {
			return null;
		}
	}
}
