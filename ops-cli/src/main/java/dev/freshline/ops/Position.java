package dev.freshline.ops;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;

/**
 * A place in a topic as an operator writes it: {@code earliest}, an offset (the same on every
 * partition), an ISO-8601 time with its zone ({@code 2026-11-27T01:00:00Z}), or an ISO-8601
 * duration meaning that long ago ({@code PT15M}). A time without a zone is refused: guessing
 * the zone of an incident is how a replay misses the hour that mattered.
 */
public sealed interface Position {

	Pattern OFFSET = Pattern.compile("[0-9]{1,18}");

	record Earliest() implements Position {

		@Override
		public String toString() {
			return "earliest";
		}
	}

	record Latest() implements Position {

		@Override
		public String toString() {
			return "latest";
		}
	}

	record Offset(long offset) implements Position {

		@Override
		public String toString() {
			return "offset " + this.offset;
		}
	}

	record Time(Instant time) implements Position {

		@Override
		public String toString() {
			return this.time.toString();
		}
	}

	/** Reads any form; {@code option} names the flag in the message of a refusal. */
	static Position parse(String option, String text, Clock clock) {
		String value = text.strip();
		Position offset = offsetForm(value);
		if (offset != null) {
			return offset;
		}
		try {
			return new Time(parseTime(value, clock));
		}
		catch (DateTimeParseException ex) {
			requireZone(option, text);
			throw new OpsException("malformed " + option + " '" + text + "': expected an offset (a non-negative "
					+ "integer), 'earliest', 'latest', an ISO-8601 time with zone (2026-11-27T01:00:00Z) or a "
					+ "duration ago (PT15M)");
		}
	}

	/** Reads a time or a duration ago only, for flags that take no offset. */
	static Instant parseTime(String option, String text, Clock clock) {
		try {
			return parseTime(text.strip(), clock);
		}
		catch (DateTimeParseException ex) {
			requireZone(option, text);
			throw new OpsException("malformed " + option + " '" + text + "': expected an ISO-8601 time with zone "
					+ "(2026-11-27T01:00:00Z) or a duration ago (PT15M)");
		}
	}

	/** Reads an offset, {@code earliest} or {@code latest}, for flags that take no time. */
	static Position parseOffset(String option, String text) {
		Position offset = offsetForm(text.strip());
		if (offset != null) {
			return offset;
		}
		throw new OpsException("malformed " + option + " '" + text
				+ "': expected an offset (a non-negative integer), 'earliest' or 'latest'");
	}

	/** {@code earliest}, {@code latest} or an offset; null for any other form. */
	private static @Nullable Position offsetForm(String value) {
		if (value.equals("earliest")) {
			return new Earliest();
		}
		if (value.equals("latest")) {
			return new Latest();
		}
		if (OFFSET.matcher(value).matches()) {
			return new Offset(Long.parseLong(value));
		}
		return null;
	}

	/** A time that is only missing its zone gets a message that says so. */
	private static void requireZone(String option, String text) {
		try {
			LocalDateTime.parse(text.strip());
		}
		catch (DateTimeParseException ex) {
			return;
		}
		throw new OpsException("malformed " + option + " '" + text + "': a time needs its zone, e.g. " + text.strip()
				+ "Z for UTC");
	}

	private static Instant parseTime(String value, Clock clock) {
		if (value.startsWith("P") || value.startsWith("-P")) {
			Duration ago = Duration.parse(value);
			if (ago.isNegative()) {
				throw new DateTimeParseException("negative duration", value, 0);
			}
			// whole seconds read better; rounding down only widens the range, which is the safe side
			return clock.instant().minus(ago).truncatedTo(ChronoUnit.SECONDS);
		}
		return OffsetDateTime.parse(value).toInstant();
	}
}
