package dev.freshline.cdc.capture;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.support.SendResult;
import org.springframework.stereotype.Component;

import dev.freshline.cdc.ConnectorProperties;
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

	private final KafkaTemplate<String, String> kafka;

	private final MeterRegistry meters;

	UncleanStopGuard(ConnectorProperties properties, RuleSet rules, KafkaTemplate<String, String> kafka,
			MeterRegistry meters) {
		this.offsets = properties.capture().offsetFile().toAbsolutePath();
		this.marker = this.offsets.resolveSibling(this.offsets.getFileName() + ".clean-stop");
		this.rules = rules;
		this.topics = new Topics(properties.topicPrefix());
		this.kafka = kafka;
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

	/** Same delivery rule as every batch: retried until Kafka acknowledged every flush. */
	private void publishFlushes() throws InterruptedException {
		long backoff = 100;
		while (true) {
			try {
				List<CompletableFuture<SendResult<String, String>>> acks = new ArrayList<>();
				for (String table : this.rules.tables().keySet()) {
					acks.add(this.kafka.send(this.topics.changes(table), null, truncateOf(table)));
				}
				for (CompletableFuture<SendResult<String, String>> ack : acks) {
					ack.get(30, TimeUnit.SECONDS);
				}
				return;
			}
			catch (ExecutionException | TimeoutException | RuntimeException ex) {
				log.warn("Publishing the flush requests failed; retrying in {} ms: {}", backoff, ex.toString());
				Thread.sleep(backoff);
				backoff = Math.min(10_000, backoff * 2);
			}
		}
	}

	private static String truncateOf(String table) {
		return "{\"before\":null,\"after\":null,\"source\":{\"table\":\"" + table + "\",\"ts_ms\":"
				+ System.currentTimeMillis() + "},\"op\":\"t\"}";
	}
}
