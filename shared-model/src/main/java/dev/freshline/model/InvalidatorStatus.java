package dev.freshline.model;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * What one invalidator instance publishes every second for the API's status page, in the hash
 * {@link CacheKeys#status()} under its instance name: its commit-to-delete percentiles (over
 * Micrometer's recent window; NaN before any change) and the consistency inspector's totals.
 * Encoded as {@code name=value} pairs so that an API of another version skips what it does not
 * know rather than failing.
 *
 * @param atMillis when it was published (epoch milliseconds, the invalidator's clock)
 * @param graceMillis the inspector's grace: the T of "consistent within T"
 */
public record InvalidatorStatus(long atMillis, double lagP50Seconds, double lagP99Seconds, long checked,
		long inconsistent, long graceMillis) {

	public String encode() {
		return String.format(Locale.ROOT, "at=%d p50=%s p99=%s checked=%d inconsistent=%d grace=%d", this.atMillis,
				this.lagP50Seconds, this.lagP99Seconds, this.checked, this.inconsistent, this.graceMillis);
	}

	/** The status in {@code encoded}, or empty when a field is missing or malformed. */
	public static Optional<InvalidatorStatus> parse(String encoded) {
		Map<String, String> fields = new HashMap<>();
		for (String pair : encoded.trim().split(" +")) {
			int equals = pair.indexOf('=');
			if (equals > 0) {
				fields.put(pair.substring(0, equals), pair.substring(equals + 1));
			}
		}
		try {
			return Optional.of(new InvalidatorStatus(Long.parseLong(fields.get("at")), Double.parseDouble(fields.get("p50")),
					Double.parseDouble(fields.get("p99")), Long.parseLong(fields.get("checked")),
					Long.parseLong(fields.get("inconsistent")), Long.parseLong(fields.get("grace"))));
		}
		catch (RuntimeException ex) {
			return Optional.empty();
		}
	}
}
