package dev.freshline.api.cache;

import java.util.Optional;

/**
 * What one read through the cache served and how: the JSON body (empty when not found) and
 * whether Redis had it. The reader decides the outcome; {@link FreshlineCache}, which knows the
 * namespace, counts it and sends it back in the response header, at one place so the two agree.
 */
record CacheRead(CacheOutcome outcome, Optional<byte[]> body) {

	static CacheRead hit(Optional<byte[]> body) {
		return new CacheRead(CacheOutcome.HIT, body);
	}

	static CacheRead miss(Optional<byte[]> body) {
		return new CacheRead(CacheOutcome.MISS, body);
	}

	static CacheRead bypass(Optional<byte[]> body) {
		return new CacheRead(CacheOutcome.BYPASS, body);
	}
}
