package dev.freshline.model;

import java.util.regex.Pattern;

/**
 * Parses integer ids from untrusted input to their canonical form before they reach SQL or a
 * cache key, so that {@code 007}, {@code 7} and {@code " 7 "} are one key and nothing else
 * (signs, tabs, newlines, key syntax such as {@code :*{}}) gets through.
 */
public final class Ids {

	// At most 18 digits always fits a signed 64-bit bigint, so parsing cannot overflow.
	private static final Pattern DIGITS = Pattern.compile("[0-9]{1,18}");

	private Ids() {
	}

	public static long parse(String raw) {
		String digits = stripSpaces(raw);
		if (!DIGITS.matcher(digits).matches()) {
			throw new InvalidIdException("id must be 1 to 18 decimal digits");
		}
		long id = Long.parseLong(digits);
		if (id <= 0) {
			throw new InvalidIdException("id must be positive");
		}
		return id;
	}

	/** Only spaces: a tab or newline around an id is not a typing slip but smuggled syntax. */
	static String stripSpaces(String raw) {
		int start = 0;
		int end = raw.length();
		while (start < end && raw.charAt(start) == ' ') {
			start++;
		}
		while (end > start && raw.charAt(end - 1) == ' ') {
			end--;
		}
		return raw.substring(start, end);
	}
}
