package dev.freshline.cache;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The stored form of a cached value: its absolute deadline as 13 digits of epoch millis, then the
 * JSON body. The deadline lets the sliding-expiry script cap a key's life without a second key.
 */
public final class CachedValue {

	public static final int HEADER_LENGTH = 13;

	private CachedValue() {
	}

	public static byte[] wrap(long deadlineMillis, byte[] body) {
		byte[] header = String.format("%013d", deadlineMillis).getBytes(StandardCharsets.US_ASCII);
		byte[] stored = Arrays.copyOf(header, HEADER_LENGTH + body.length);
		System.arraycopy(body, 0, stored, HEADER_LENGTH, body.length);
		return stored;
	}

	public static byte[] body(byte[] stored) {
		if (stored.length < HEADER_LENGTH) {
			throw new IllegalArgumentException("cached value shorter than its header");
		}
		return Arrays.copyOfRange(stored, HEADER_LENGTH, stored.length);
	}
}
