package dev.freshline.api.cache;

import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

import dev.freshline.api.ApiProperties;

/**
 * How a namespace reads through Redis. Production runs {@link ReadThroughCache}, the fill
 * protocol; {@link NaiveCacheAside} exists only as the negative control that tests and the
 * torture checker select with {@code freshline.api.cache.protocol=NAIVE}
 * ({@link CachingConfiguration}).
 */
interface CacheReader {

	/**
	 * The JSON body for {@code key}, from Redis or, on a miss, from {@code loader} (empty if not
	 * found), and how it was served. The entry is registered in {@code tagIndexes} when it is filled.
	 */
	CacheRead read(String key, List<String> tagIndexes, ApiProperties.Expiry expiry,
			Supplier<Optional<Loaded>> loader);

	/** The cached body, if any, without taking a lease (nothing will be filled); empty for a cached "not found". */
	Optional<byte[]> peek(String key);
}
