package dev.freshline.model;

import java.math.BigInteger;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The type of the id between a key's braces, and its one canonical form. The API canonicalises
 * what a client typed and the invalidator canonicalises what a change event carries with the
 * same code, so {@code 007} and {@code 7}, a UUID in upper or lower case, or an id with
 * surrounding spaces all name one key. Anything that could carry key or pattern syntax
 * ({@code :*{}}, whitespace inside, newlines) or exceed the column is refused.
 *
 * @param kind integer (a positive bigint), uuid, or text (letters, digits, {@code . _ -})
 * @param maxLength the longest text id, as the column allows; 0 for the other kinds
 */
public record IdType(Kind kind, int maxLength) {

	public enum Kind {
		INTEGER, UUID, TEXT
	}

	public static final IdType INTEGER = new IdType(Kind.INTEGER, 0);

	public static final IdType UUID = new IdType(Kind.UUID, 0);

	private static final Pattern DECLARATION = Pattern.compile("integer|uuid|text\\(([1-9][0-9]{0,3})\\)");

	private static final Pattern TEXT_ID = Pattern.compile("[A-Za-z0-9._-]+");

	private static final Pattern UUID_ID = Pattern
		.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

	private static final BigInteger MAX_BIGINT = BigInteger.valueOf(Long.MAX_VALUE);

	public static IdType text(int maxLength) {
		return new IdType(Kind.TEXT, maxLength);
	}

	/** Reads {@code integer}, {@code uuid} or {@code text(<max length>)}, as the rules file declares them. */
	public static IdType parse(String declaration) {
		Matcher matcher = DECLARATION.matcher(declaration);
		if (!matcher.matches()) {
			throw new IllegalArgumentException(
					"id type must be integer, uuid or text(<max length 1-9999>) but was '" + declaration + "'");
		}
		return switch (declaration) {
			case "integer" -> INTEGER;
			case "uuid" -> UUID;
			default -> text(Integer.parseInt(matcher.group(1)));
		};
	}

	/** The canonical form of an id a client sent (a path segment, a form field). */
	public String canonical(String raw) {
		String id = Ids.stripSpaces(raw);
		return switch (this.kind) {
			case INTEGER -> Long.toString(Ids.parse(id));
			case UUID -> {
				String lower = id.toLowerCase(Locale.ROOT);
				if (!UUID_ID.matcher(lower).matches()) {
					throw new InvalidIdException("id must be a UUID (8-4-4-4-12 hexadecimal digits)");
				}
				yield lower;
			}
			case TEXT -> {
				if (id.isEmpty() || id.length() > this.maxLength) {
					throw new InvalidIdException("id must be 1 to " + this.maxLength + " characters");
				}
				if (!TEXT_ID.matcher(id).matches()) {
					throw new InvalidIdException("id may contain only letters, digits, '.', '_' and '-'");
				}
				yield id;
			}
		};
	}

	/** The canonical form of a column value from a change event's row image. */
	public String canonical(Object value) {
		if (value instanceof String text) {
			return canonical(text);
		}
		if (this.kind == Kind.INTEGER && (value instanceof Long || value instanceof Integer || value instanceof Short)) {
			long id = ((Number) value).longValue();
			if (id <= 0) {
				throw new InvalidIdException("id must be positive");
			}
			return Long.toString(id);
		}
		if (this.kind == Kind.INTEGER && value instanceof BigInteger big && big.signum() > 0
				&& big.compareTo(MAX_BIGINT) <= 0) {
			return big.toString();
		}
		throw new InvalidIdException("a " + this + " id cannot be a " + value.getClass().getSimpleName());
	}

	@Override
	public String toString() {
		return (this.kind == Kind.TEXT) ? "text(" + this.maxLength + ")" : this.kind.name().toLowerCase(Locale.ROOT);
	}
}
