package dev.freshline.cdc.capture;

import java.util.Map;

import io.debezium.engine.ChangeEvent;
import org.jspecify.annotations.Nullable;

/**
 * The source offset Debezium attached to one of its records (its {@code lsn_commit},
 * {@code ts_usec}, {@code txId} and {@code messageType} are what {@link CommitTracker} reads).
 * The engine's records are Kafka Connect {@code SourceRecord}s underneath, and only
 * {@code publish} touches Kafka's types, so it implements this.
 */
@FunctionalInterface
public interface RecordOffsets {

	/** The record's source offset, or null for a record the engine did not emit (our own flushes). */
	@Nullable Map<String, ?> of(ChangeEvent<byte[], byte[]> record);
}
