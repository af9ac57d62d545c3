package dev.freshline.cdc.publish;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

import io.debezium.engine.ChangeEvent;
import io.debezium.engine.DebeziumEngine;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.SmartLifecycle;
import org.springframework.kafka.core.ProducerFactory;
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
 * go through the same loop, and so do the watermark markers. Records go to the factory's producer
 * directly, with one callback counting down per batch: KafkaTemplate's future, observation and
 * listener per record cost connector CPU for every change and add nothing here.
 */
@Component
public class KafkaChangePublisher
		implements DebeziumEngine.ChangeConsumer<ChangeEvent<byte[], byte[]>>, ChangePublisher, MarkerPublisher,
		SmartLifecycle {

	private static final Logger log = LoggerFactory.getLogger(KafkaChangePublisher.class);

	private static final long MAX_BACKOFF_MILLIS = 10_000;

	/** The header's presence marks a marker; its value says nothing more. */
	private static final byte[] MARKER_HEADER_VALUE = new byte[0];

	private final ProducerFactory<byte[], byte[]> producers;

	private final CaptureProgress progress;

	private volatile boolean running = true;

	public KafkaChangePublisher(ProducerFactory<byte[], byte[]> producers, CaptureProgress progress) {
		this.producers = producers;
		this.progress = progress;
	}

	@Override
	public void handleBatch(List<ChangeEvent<byte[], byte[]>> records,
			DebeziumEngine.RecordCommitter<ChangeEvent<byte[], byte[]>> committer) throws InterruptedException {
		// the engine's thread: give up when the connector stops, or the engine could not close
		publish(records, () -> !this.running);
		for (ChangeEvent<byte[], byte[]> record : records) {
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
	public void publish(List<ChangeEvent<byte[], byte[]>> records, BooleanSupplier stopping) throws InterruptedException {
		sendUntilAcknowledged((producer) -> records.stream()
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
		byte[] value = watermark.encode().getBytes(StandardCharsets.UTF_8);
		sendUntilAcknowledged((producer) -> {
			List<ProducerRecord<byte[], byte[]>> markers = new ArrayList<>();
			for (String topic : topics) {
				for (PartitionInfo partition : producer.partitionsFor(topic)) {
					ProducerRecord<byte[], byte[]> marker = new ProducerRecord<>(topic, partition.partition(), null, value);
					marker.headers().add(Watermark.HEADER, MARKER_HEADER_VALUE);
					markers.add(marker);
				}
			}
			return markers;
		}, stopping);
	}

	private void sendUntilAcknowledged(Function<Producer<byte[], byte[]>, List<ProducerRecord<byte[], byte[]>>> records,
			BooleanSupplier stopping) throws InterruptedException {
		long backoff = 100;
		for (int attempt = 1;; attempt++) {
			int count = 0;
			// the factory's one shared producer; closing it is a no-op unless it failed fatally, when
			// the factory replaces it for the next attempt (what KafkaTemplate does after each send)
			try (Producer<byte[], byte[]> producer = this.producers.createProducer()) {
				List<ProducerRecord<byte[], byte[]>> batch = records.apply(producer);
				count = batch.size();
				sendAndAwait(producer, batch);
				return;
			}
			catch (ExecutionException | RuntimeException ex) {
				// ExecutionException: Kafka refused or timed out a send (a missing topic, a missing
				// ACL); RuntimeException: send() itself failed (a closed producer). Either way the
				// batch is retried as a whole: it must never be skipped, and resent records are harmless.
				Throwable cause = (ex instanceof ExecutionException) ? ex.getCause() : ex;
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

	/** Returns once Kafka answered every record; throws if it refused any. */
	private static void sendAndAwait(Producer<byte[], byte[]> producer, List<ProducerRecord<byte[], byte[]>> records)
			throws InterruptedException, ExecutionException {
		BatchAcknowledgement acks = new BatchAcknowledgement(records.size());
		for (ProducerRecord<byte[], byte[]> record : records) {
			producer.send(record, acks);
		}
		acks.await();
	}

	/**
	 * One callback for a whole batch: counts every record's answer down and keeps the first
	 * refusal. The producer calls it exactly once per record it accepted, also when it fails a
	 * record inside send() (no metadata within max.block.ms).
	 */
	private static final class BatchAcknowledgement implements Callback {

		private final CountDownLatch answers;

		private final AtomicReference<@Nullable Exception> refusal = new AtomicReference<>();

		BatchAcknowledgement(int records) {
			this.answers = new CountDownLatch(records);
		}

		@Override
		public void onCompletion(@Nullable RecordMetadata metadata, @Nullable Exception exception) {
			if (exception != null) {
				this.refusal.compareAndSet(null, exception);
			}
			this.answers.countDown();
		}

		void await() throws InterruptedException, ExecutionException {
			this.answers.await();
			Exception refused = this.refusal.get();
			if (refused != null) {
				throw new ExecutionException(refused);
			}
		}
	}
}
