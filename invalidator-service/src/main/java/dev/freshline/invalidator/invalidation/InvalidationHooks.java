package dev.freshline.invalidator.invalidation;

/**
 * Named points around each Redis invalidation, so race tests can stop the invalidator exactly
 * there instead of hoping for timing. The default does nothing. A poll's keys are deleted in one
 * pipeline: every {@code beforeDelete} of the poll runs before it, every {@code afterDelete}
 * after its replies; then its unreadable records are dead-lettered and its markers recorded.
 */
public interface InvalidationHooks {

	InvalidationHooks NONE = new InvalidationHooks() {
	};

	default void beforeDelete(String key) {
	}

	default void afterDelete(String key) {
	}

	/** Before an unreadable record is published to the dead-letter topic, after its namespaces were flushed. */
	default void beforeDeadLetter(String topic, int partition, long offset) {
	}

	/** Before a watermark marker is recorded as its partition's applied watermark. */
	default void beforeWatermark(String topic, int partition, long offset) {
	}

	/** Before the consistency inspector reads back a key, its grace after the change passed. */
	default void beforeInspection(String key) {
	}
}
