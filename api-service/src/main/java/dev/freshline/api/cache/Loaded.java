package dev.freshline.api.cache;

/**
 * What a loader read from Postgres: the JSON to serve and cache, and the version a fill is
 * checked against (0 for collections, which rely on the lease alone).
 */
public record Loaded(byte[] body, long version) {

	/** The version of a value served from the cache: only fills need one. */
	public static final long UNKNOWN_VERSION = -1;
}
