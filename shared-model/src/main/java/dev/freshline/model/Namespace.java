package dev.freshline.model;

import java.util.regex.Pattern;

/**
 * A family of cache keys ({@code <prefix>:<namespace>:{<id>}}), flushed as a unit when a
 * change cannot be mapped to single keys. Namespaces are declared in the rules file; the
 * constants name the ones the API serves, which it checks against the rules at start.
 */
public record Namespace(String id) {

	// declared before the constants below, which it checks
	private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_-]{0,62}");

	public static final Namespace PATIENT = new Namespace("patient");

	public static final Namespace WARD = new Namespace("ward");

	public static final Namespace FORMULARY = new Namespace("formulary");

	/** Tag index sets live under this name, so no rule may declare it. */
	static final String TAGS = "tag";

	/** Applied watermarks live under this name, so no rule may declare it. */
	static final String WATERMARKS = "watermark";

	public Namespace {
		if (!NAME.matcher(id).matches()) {
			throw new IllegalArgumentException("namespace must match " + NAME.pattern() + " but was '" + id + "'");
		}
	}

	@Override
	public String toString() {
		return this.id;
	}
}
