package dev.freshline.invalidator.invalidation;

/**
 * Named points around each Redis invalidation, so race tests can stop the invalidator exactly
 * there instead of hoping for timing. The default does nothing.
 */
public interface InvalidationHooks {

	InvalidationHooks NONE = new InvalidationHooks() {
	};

	default void beforeDelete(String key) {
	}

	default void afterDelete(String key) {
	}
}
