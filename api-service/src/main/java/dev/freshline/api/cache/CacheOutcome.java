package dev.freshline.api.cache;

import java.util.Locale;

import org.jspecify.annotations.Nullable;

import org.springframework.web.context.request.RequestAttributes;
import org.springframework.web.context.request.RequestContextHolder;

/**
 * How a request's cached read was served, sent back as {@code Freshline-Cache: hit|miss|bypass}:
 * {@code hit} from Redis; {@code miss} from Postgres because Redis held no value (filled, or the
 * fill was refused or skipped); {@code bypass} from Postgres without asking Redis for the value
 * (it failed, or the freshness fence refused it). Recorded where the request counters count it
 * ({@link ReadMetrics.Requests}), so the header and the meters cannot disagree; when a request
 * reads several entries the worst wins.
 */
public enum CacheOutcome {

	HIT, MISS, BYPASS;

	/** The response header. */
	public static final String HEADER = "Freshline-Cache";

	private static final String ATTRIBUTE = CacheOutcome.class.getName();

	/** Remembers {@code outcome} for the current request; outside a request (a test, a background task) it is dropped. */
	static void record(CacheOutcome outcome) {
		RequestAttributes request = RequestContextHolder.getRequestAttributes();
		if (request == null) {
			return;
		}
		CacheOutcome previous = of(request);
		if (previous == null || outcome.ordinal() > previous.ordinal()) {
			request.setAttribute(ATTRIBUTE, outcome, RequestAttributes.SCOPE_REQUEST);
		}
	}

	/** What {@code request}'s cached reads recorded, or null when it read nothing cached. */
	static @Nullable CacheOutcome of(RequestAttributes request) {
		return (CacheOutcome) request.getAttribute(ATTRIBUTE, RequestAttributes.SCOPE_REQUEST);
	}

	/** The header value. */
	String value() {
		return name().toLowerCase(Locale.ROOT);
	}
}
