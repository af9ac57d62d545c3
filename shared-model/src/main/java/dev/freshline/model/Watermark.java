package dev.freshline.model;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A point of the change stream: every transaction Postgres committed at or before {@code lsn} has
 * been published. The connector writes one into every partition of every change topic after the
 * records before it were acknowledged (a watermark marker, told from a change by the Kafka header
 * {@link #HEADER}); because a partition is ordered, an invalidator that applies a marker has
 * applied every record of that partition before it, and records the marker in Redis as that
 * partition's applied watermark ({@link CacheKeys#watermarks(String)}). It carries the commit
 * LSN, never a row's LSN: rows of concurrent transactions interleave in the WAL, commits do not.
 *
 * @param lsn the commit LSN covered, as Postgres' 64-bit {@code pg_lsn}
 * @param commitMillis that commit's time by Postgres' clock (epoch milliseconds)
 */
public record Watermark(long lsn, long commitMillis) {

	/** The Kafka header that marks a record of a change topic as a watermark marker. */
	public static final String HEADER = "freshline-watermark";

	private static final Pattern LSN = Pattern.compile("([0-9A-Fa-f]{1,8})/([0-9A-Fa-f]{1,8})");

	private static final Pattern ENCODED = Pattern.compile("\\{\"lsn\":\"([0-9A-F]{1,8}/[0-9A-F]{1,8})\",\"commitMillis\":(\\d{1,19})}");

	public Watermark {
		if (lsn < 0) {
			throw new IllegalArgumentException("an LSN is unsigned; " + lsn + " is out of range");
		}
		if (commitMillis < 0) {
			throw new IllegalArgumentException("commitMillis must not be negative: " + commitMillis);
		}
	}

	/**
	 * Reads Postgres' text form of an LSN ({@code 16/B374D848}: the high and low 32 bits in hex).
	 *
	 * @throws IllegalArgumentException for anything else
	 */
	public static long parseLsn(String text) {
		Matcher matcher = LSN.matcher(text);
		if (!matcher.matches()) {
			throw new IllegalArgumentException("not an LSN (expected the form 16/B374D848): '" + text + "'");
		}
		long high = Long.parseLong(matcher.group(1), 16);
		long low = Long.parseLong(matcher.group(2), 16);
		if (high > 0x7FFFFFFFL) {
			throw new IllegalArgumentException("LSN out of range: '" + text + "'");
		}
		return (high << 32) | low;
	}

	/** Postgres' text form of {@code lsn}, as {@code pg_current_wal_lsn()} prints it. */
	public static String formatLsn(long lsn) {
		return String.format(Locale.ROOT, "%X/%X", lsn >>> 32, lsn & 0xFFFFFFFFL);
	}

	/** Whether every transaction committed at or before {@code lsn} is covered. */
	public boolean covers(long lsn) {
		return this.lsn >= lsn;
	}

	/** The marker's value, and the applied watermark's value in Redis. */
	public String encode() {
		return "{\"lsn\":\"" + formatLsn(this.lsn) + "\",\"commitMillis\":" + this.commitMillis + "}";
	}

	/**
	 * Reads what {@link #encode()} wrote.
	 *
	 * @throws MalformedChangeEventException for anything else
	 */
	public static Watermark parse(String encoded) {
		Matcher matcher = ENCODED.matcher(encoded);
		if (!matcher.matches()) {
			throw new MalformedChangeEventException("not a watermark: " + abbreviate(encoded));
		}
		try {
			return new Watermark(parseLsn(matcher.group(1)), Long.parseLong(matcher.group(2)));
		}
		catch (IllegalArgumentException ex) {
			throw new MalformedChangeEventException("not a watermark: " + abbreviate(encoded), ex);
		}
	}

	private static String abbreviate(String text) {
		return (text.length() <= 80) ? text : text.substring(0, 80) + "...";
	}
}
