package dev.freshline.cdc.publish;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import io.debezium.engine.ChangeEvent;
import io.debezium.engine.DebeziumEngine;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.SmartLifecycle;
import org.springframework.kafka.KafkaException;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.support.SendResult;
import org.springframework.stereotype.Component;

import dev.freshline.cdc.capture.CaptureProgress;
import dev.freshline.cdc.capture.ChangePublisher;
import dev.freshline.cdc.capture.MarkerPublisher;
import dev.freshline.model.Watermark;

/**
 * The delivery rule at the source: send the whole batch, wait until Kafka acknowledged every
 * record, and only then mark them processed. A failed batch is sent again with capped back-off,
 * forever; duplicates are harmless downstream (deletes are idempotent), losses are not. The
 * connector's own records (the flushes it owes after an unclean stop, lost offsets or a new slot)
 * go through the same loop, and so do the watermark markers.
 */
@Component
public class KafkaChangePublisher
		implements DebeziumEngine.ChangeConsumer<ChangeEvent<String, String>>, ChangePublisher, MarkerPublisher,
		SmartLifecycle {

	private static final Logger log = LoggerFactory.getLogger(KafkaChangePublisher.class);

	private static final long MAX_BACKOFF_MILLIS = 10_000;

	/** The header's presence marks a marker; its value says nothing more. */
	private static final byte[] MARKER_HEADER_VALUE = new byte[0];

	private final KafkaTemplate<String, String> kafka;

	private final CaptureProgress progress;

	private volatile boolean running = true;

	public KafkaChangePublisher(KafkaTemplate<String, String> kafka, CaptureProgress progress) {
		this.kafka = kafka;
		this.progress = progress;
	}

	@Override
	public void handleBatch(List<ChangeEvent<String, String>> records,
			DebeziumEngine.RecordCommitter<ChangeEvent<String, String>> committer) throws InterruptedException {
		// the engine's thread: give up when the connector stops, or the engine could not close
		publish(records, () -> !this.running);
		for (ChangeEvent<String, String> record : records) {
			committer.markProcessed(record);
		}
		committer.markBatchFinished();
		this.progress.batchPublished(records.size());
	}

	/**
	 * Retries until Kafka acknowledged every record, or until {@code stopping} says so. Not tied to
	 * this bean's lifecycle: capture's owed flush may go out before this bean's own
	 * {@link #start()} (on a context restart), so the caller says when to give up.
	 */
	@Override
	public void publish(List<ChangeEvent<String, String>> records, BooleanSupplier stopping) throws InterruptedException {
		sendUntilAcknowledged(() -> records.stream()
			.map((record) -> new ProducerRecord<>(record.destination(), record.key(), record.value()))
			.toList(), stopping);
	}

	/**
	 * One marker per partition, as Kafka's metadata knows the partitions at each attempt. The key is
	 * null and the partition explicit, so no partitioner decides; the header tells a marker from a
	 * change. Nothing here is marked processed: markers never move Debezium's offsets.
	 */
	@Override
	public void publishMarkers(Watermark watermark, List<String> topics, BooleanSupplier stopping)
			throws InterruptedException {
		String value = watermark.encode();
		sendUntilAcknowledged(() -> {
			List<ProducerRecord<String, String>> markers = new ArrayList<>();
			for (String topic : topics) {
				for (PartitionInfo partition : this.kafka.partitionsFor(topic)) {
					ProducerRecord<String, String> marker = new ProducerRecord<>(topic, partition.partition(), null, value);
					marker.headers().add(Watermark.HEADER, MARKER_HEADER_VALUE);
					markers.add(marker);
				}
			}
			return markers;
		}, stopping);
	}

	private void sendUntilAcknowledged(Supplier<List<ProducerRecord<String, String>>> records, BooleanSupplier stopping)
			throws InterruptedException {
		long backoff = 100;
		for (int attempt = 1;; attempt++) {
			int count = 0;
			try {
				List<ProducerRecord<String, String>> batch = records.get();
				count = batch.size();
				sendAndAwait(batch);
				return;
			}
			catch (ExecutionException | RuntimeException ex) {
				// ExecutionException: Kafka refused or timed out a send; RuntimeException: send() itself
				// failed (no metadata within max.block.ms, a closed producer). Either way the batch is
				// retried as a whole: it must never be skipped, and resent records are harmless.
				Throwable cause = (ex instanceof ExecutionException) ? ex.getCause() : ex;
				if (cause instanceof KafkaException && cause.getCause() != null) {
					// KafkaTemplate's own "Send failed" around what Kafka said (a missing topic, a
					// missing ACL): name Kafka's reason in the log and in health
					cause = cause.getCause();
				}
				this.progress.sendFailed(cause);
				log.warn("Kafka did not acknowledge a batch of {} records (attempt {}); resending in {} ms: {}",
						count, attempt, backoff, String.valueOf(cause));
				if (stopping.getAsBoolean()) {
					// leaving the batch unmarked is safe: Debezium re-reads it after the restart
					throw new InterruptedException("connector stopping: batch left unacknowledged, re-read on restart");
				}
				Thread.sleep(backoff); // the engine thread itself must wait: nothing may be marked meanwhile
				backoff = Math.min(MAX_BACKOFF_MILLIS, backoff * 2);
			}
		}
	}

	/** Stops first (a higher phase than the engine's), so a batch retrying against a gone broker lets the engine close. */
	@Override
	public int getPhase() {
		return Integer.MAX_VALUE - 50;
	}

	@Override
	public void start() {
		this.running = true;
	}

	@Override
	public void stop() {
		this.running = false;
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	private void sendAndAwait(List<ProducerRecord<String, String>> records)
			throws InterruptedException, ExecutionException {
		List<CompletableFuture<SendResult<String, String>>> acks = new ArrayList<>(records.size());
		for (ProducerRecord<String, String> record : records) {
			acks.add(this.kafka.send(record));
		}
		for (CompletableFuture<SendResult<String, String>> ack : acks) {
			ack.get();
		}
	}
}
