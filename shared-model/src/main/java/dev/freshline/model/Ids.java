package dev.freshline.model;

import java.util.regex.Pattern;

/**
 * Parses ids from untrusted input to their canonical form before they reach SQL or a cache key,
 * so that {@code 007} and {@code 7} are one key and nothing else (signs, spaces, key syntax such
 * as {@code :*{}}) gets through.
 */
public final class Ids {

	// At most 18 digits always fits a signed 64-bit bigint, so parsing cannot overflow.
	private static final Pattern DIGITS = Pattern.compile("[0-9]{1,18}");

	private Ids() {
	}

	public static long parse(String raw) {
		if (!DIGITS.matcher(raw).matches()) {
			throw new InvalidIdException("id must be 1 to 18 decimal digits");
		}
		long id = Long.parseLong(raw);
		if (id <= 0) {
			throw new InvalidIdException("id must be positive");
		}
		return id;
	}
}
