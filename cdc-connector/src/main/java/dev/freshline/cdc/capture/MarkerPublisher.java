package dev.freshline.cdc.capture;

import java.util.List;
import java.util.function.BooleanSupplier;

import dev.freshline.model.Watermark;

/**
 * Where capture sends watermark markers; implemented in {@code publish}, so capture itself never
 * talks to Kafka.
 */
@FunctionalInterface
public interface MarkerPublisher {

	/**
	 * Writes {@code watermark} as a marker into every partition of each of {@code topics} (null key,
	 * the value {@link Watermark#encode()}, the header {@link Watermark#HEADER}), and returns once
	 * Kafka acknowledged every one, with the retries of {@link ChangePublisher#publish}. The caller
	 * sends it only after every record it covers was acknowledged, so in each partition it follows
	 * them.
	 */
	void publishMarkers(Watermark watermark, List<String> topics, BooleanSupplier stopping) throws InterruptedException;
}
