package dev.freshline.api.freshness;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.jspecify.annotations.Nullable;

import org.springframework.web.context.request.RequestAttributes;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.servlet.HandlerInterceptor;

import dev.freshline.model.Watermark;

/**
 * The {@code Freshline-After: <pg_lsn>} request header: the response must reflect every
 * transaction committed at or before that WAL position (Postgres' {@code X/XXXXXXXX} form, e.g.
 * {@code pg_current_wal_insert_lsn()} read after the writer's commit, or the header an admin
 * write answered with). Parsed before the handler runs, so a malformed value is a 400 before any
 * read; the parsed position rides on the request for the fence.
 */
public final class ReadAfter implements HandlerInterceptor {

	/** The request header, and the header admin writes answer with. */
	public static final String HEADER = "Freshline-After";

	private static final String ATTRIBUTE = ReadAfter.class.getName();

	@Override
	public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) {
		String value = request.getHeader(HEADER);
		if (value != null) {
			request.setAttribute(ATTRIBUTE, parse(value));
		}
		return true;
	}

	/**
	 * The position in {@code value}.
	 *
	 * @throws InvalidReadAfterException if it is not an LSN
	 */
	static long parse(String value) {
		try {
			return Watermark.parseLsn(value.strip());
		}
		catch (IllegalArgumentException ex) {
			throw new InvalidReadAfterException();
		}
	}

	/** The current request's position, or null when it names none (or outside a request). */
	public static @Nullable Long current() {
		RequestAttributes request = RequestContextHolder.getRequestAttributes();
		return (request != null) ? (Long) request.getAttribute(ATTRIBUTE, RequestAttributes.SCOPE_REQUEST) : null;
	}

	/** A {@code Freshline-After} value that is not a Postgres LSN: a 400. */
	public static final class InvalidReadAfterException extends RuntimeException {

		InvalidReadAfterException() {
			// the message never echoes the value back
			super(HEADER + " must be a Postgres WAL position in the form 16/B374D848, as pg_current_wal_insert_lsn() prints it");
		}
	}
}
