package dev.freshline.api.cache;

/**
 * Named points of a cache fill, so race tests can stop a reader exactly there instead of
 * hoping for timing. Every Postgres load passes {@link #afterDatabaseRead}, so tests can also
 * count them. The default does nothing.
 */
public interface FillHooks {

	FillHooks NONE = new FillHooks() {
	};

	/**
	 * The reader holds the lease and is about to read Postgres (with the NAIVE protocol: it has
	 * missed and is about to read Postgres).
	 */
	default void afterLease(String key) {
	}

	/** The reader found the lease taken and starts waiting for the holder's fill. */
	default void beforeLeaseWait(String key) {
	}

	/** The reader has the row from Postgres (also called when it will not fill). */
	default void afterDatabaseRead(String key) {
	}

	/** The reader is about to send its fill to Redis. */
	default void beforeFill(String key) {
	}
}
