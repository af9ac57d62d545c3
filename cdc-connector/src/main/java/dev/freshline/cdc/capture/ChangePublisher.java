package dev.freshline.cdc.capture;

import java.util.List;
import java.util.function.BooleanSupplier;

import io.debezium.engine.ChangeEvent;

/**
 * What capture needs from the publishing side besides Debezium's batches: records sent under the
 * same delivery rule (acknowledged by Kafka, retried until they are). Implemented in
 * {@code publish}, so capture itself never talks to Kafka.
 */
public interface ChangePublisher {

	/**
	 * Returns once Kafka acknowledged every record; retries with back-off until it does, or until
	 * {@code stopping} says the connector stops or the calling thread is interrupted (then it
	 * throws {@link InterruptedException} and nothing counts as published). The caller decides
	 * when to give up, not this bean's lifecycle: capture may publish before it started.
	 */
	void publish(List<ChangeEvent<byte[], byte[]>> records, BooleanSupplier stopping) throws InterruptedException;
}
