package dev.freshline.api.security;

import java.io.IOException;
import java.util.Map;
import java.util.TreeMap;

import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.oauth2.server.resource.InvalidBearerTokenException;
import org.springframework.security.oauth2.server.resource.web.BearerTokenAuthenticationEntryPoint;
import org.springframework.security.oauth2.server.resource.web.access.BearerTokenAccessDeniedHandler;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.access.AccessDeniedHandler;
import org.springframework.security.web.firewall.RequestRejectedException;
import org.springframework.security.web.firewall.RequestRejectedHandler;
import org.springframework.stereotype.Component;

/**
 * 401 and 403 as problem details, like the API's other errors, with the {@code WWW-Authenticate}
 * header of RFC 6750 that Spring Security's bearer-token handlers set; and the 400 of Spring
 * Security's firewall (an encoded line break in the path, say), which would otherwise be Boot's
 * plain error JSON while the same kind of bad id is a problem everywhere else. The token itself never
 * reaches the body or the log; the log line says which check refused, at debug.
 */
@Component
class ProblemResponses implements AuthenticationEntryPoint, AccessDeniedHandler, RequestRejectedHandler {

	private static final Logger log = LoggerFactory.getLogger(ProblemResponses.class);

	private final AuthenticationEntryPoint bearerEntryPoint = new BearerTokenAuthenticationEntryPoint();

	private final AccessDeniedHandler bearerAccessDenied = new BearerTokenAccessDeniedHandler();

	private final JsonMapper json;

	ProblemResponses(JsonMapper json) {
		this.json = json;
	}

	@Override
	public void commence(HttpServletRequest request, HttpServletResponse response, AuthenticationException ex)
			throws IOException, ServletException {
		boolean invalid = ex instanceof InvalidBearerTokenException;
		log.debug("Refused {} {} with 401: {}", request.getMethod(), request.getRequestURI(),
				invalid ? "invalid or expired token" : "no bearer token");
		this.bearerEntryPoint.commence(request, response, ex);
		write(request, response, HttpStatus.UNAUTHORIZED, invalid
				? "The bearer token is invalid: malformed, expired, or not signed by an issuer this API trusts"
				: "This endpoint needs a bearer token: Authorization: Bearer <JWT>");
	}

	@Override
	public void handle(HttpServletRequest request, HttpServletResponse response, AccessDeniedException ex)
			throws IOException, ServletException {
		log.debug("Refused {} {} with 403: the token lacks the scope", request.getMethod(), request.getRequestURI());
		this.bearerAccessDenied.handle(request, response, ex);
		write(request, response, HttpStatus.FORBIDDEN,
				"The bearer token does not carry the scope this endpoint needs (patients.read, formulary.read or admin)");
	}

	@Override
	public void handle(HttpServletRequest request, HttpServletResponse response, RequestRejectedException ex)
			throws IOException {
		// the firewall's message quotes the refused input, which we never echo
		log.debug("Refused {} with 400: the firewall rejected its URL or headers", request.getMethod());
		write(request, response, HttpStatus.BAD_REQUEST,
				"The request contains characters this API refuses, such as an encoded line break or slash", false);
	}

	private void write(HttpServletRequest request, HttpServletResponse response, HttpStatus status, String detail)
			throws IOException {
		write(request, response, status, detail, true);
	}

	private void write(HttpServletRequest request, HttpServletResponse response, HttpStatus status, String detail,
			boolean withInstance) throws IOException {
		// the shape of the API's other problems: type about:blank left out (RFC 9457's default), keys sorted
		Map<String, Object> problem = new TreeMap<>();
		problem.put("title", status.getReasonPhrase());
		problem.put("status", status.value());
		problem.put("detail", detail);
		if (withInstance) {
			problem.put("instance", request.getRequestURI());
		}
		response.setStatus(status.value());
		response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
		this.json.writeValue(response.getOutputStream(), problem);
	}
}
