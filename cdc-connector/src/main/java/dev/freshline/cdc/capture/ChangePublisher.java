package dev.freshline.cdc.capture;

import java.util.List;

import io.debezium.engine.ChangeEvent;

/**
 * What capture needs from the publishing side besides Debezium's batches: records sent under the
 * same delivery rule (acknowledged by Kafka, retried until they are). Implemented in
 * {@code publish}, so capture itself never talks to Kafka.
 */
public interface ChangePublisher {

	/**
	 * Returns once Kafka acknowledged every record; retries with back-off until it does, or until
	 * the calling thread is interrupted.
	 */
	void publish(List<ChangeEvent<String, String>> records) throws InterruptedException;
}
