package dev.freshline.cache;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The stored form of a cached value, written here and parsed by {@link LuaScripts#READ}: the
 * protocol's one description of the bytes behind a value key.
 * <pre>
 * bytes 0..12  the absolute deadline: epoch millis as 13 zero-padded ASCII digits
 * bytes 13..   the JSON body, served as it is; empty for a cached "not found"
 * </pre>
 * The deadline lets the sliding-expiry script cap a key's life without a second key.
 */
public final class CachedValue {

	/** The deadline's length; the READ script reads exactly this many leading bytes. */
	public static final int HEADER_LENGTH = 13;

	private static final String HEADER_FORMAT = "%0" + HEADER_LENGTH + "d";

	private CachedValue() {
	}

	public static byte[] wrap(long deadlineMillis, byte[] body) {
		byte[] header = String.format(HEADER_FORMAT, deadlineMillis).getBytes(StandardCharsets.US_ASCII);
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
