package dev.freshline.api.docs;

import java.util.Map;
import java.util.TreeMap;

import io.swagger.v3.oas.models.headers.Header;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.IntegerSchema;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.ObjectSchema;
import io.swagger.v3.oas.models.media.StringSchema;
import io.swagger.v3.oas.models.responses.ApiResponse;

/**
 * The error answers, each an RFC 9457 problem as the API writes it ({@code ApiExceptionHandler},
 * and {@code ProblemResponses} for 401 and 403), with an example taken from a real answer.
 */
final class Problems {

	private static final ObjectSchema PROBLEM = (ObjectSchema) new ObjectSchema()
		.addProperty("title", new StringSchema())
		.addProperty("status", new IntegerSchema())
		.addProperty("detail", new StringSchema())
		.addProperty("instance", new StringSchema());

	private Problems() {
	}

	static ApiResponse response(int status) {
		return switch (status) {
			case 400 -> problem("A malformed id, ward or tag, an invalid body, or a Freshline-After that is no WAL position",
					"Invalid id", 400, "id must be 1 to 18 decimal digits", "/patients/4%2A2");
			case 401 -> problem("No bearer token, or one that is malformed, expired or not signed by a trusted issuer "
					+ "(with RFC 6750's WWW-Authenticate: Bearer)", "Unauthorized", 401,
					"This endpoint needs a bearer token: Authorization: Bearer <JWT>", "/patients/42");
			case 403 -> problem("The token does not carry this endpoint's scope", "Forbidden", 403,
					"The bearer token does not carry the scope this endpoint needs (patients.read, formulary.read or admin)",
					"/admin/cache/namespaces/patient/flush");
			case 404 -> problem("A well-formed id that names no record, or a namespace or tag the rules do not declare",
					"Not found", 404, "patient 424242 not found", "/patients/424242");
			case 409 -> problem("A unique value (a patient's MRN, a drug code within a hospital) belongs to another record",
					"Conflict", 409, "A unique value of this request (such as an MRN) belongs to another record",
					"/admin/patients");
			case 503 -> retryAfter(problem("Postgres did not answer (a read that missed the cache, a write) or Redis did not "
					+ "(a cache repair; reads fall back to Postgres), with Retry-After in seconds", "Service unavailable",
					503, "The database or the cache did not answer; retry the request",
					"/admin/cache/tags/hospital:3/invalidations"));
			default -> throw new IllegalArgumentException("no problem described for " + status);
		};
	}

	private static ApiResponse retryAfter(ApiResponse response) {
		return response.addHeaderObject("Retry-After", new Header().description("Seconds to wait before retrying")
			.schema(new IntegerSchema())
			.example(2));
	}

	private static ApiResponse problem(String description, String title, int status, String detail, String instance) {
		Map<String, Object> example = new TreeMap<>(
				Map.of("title", title, "status", status, "detail", detail, "instance", instance));
		return new ApiResponse().description(description)
			.content(new Content().addMediaType("application/problem+json",
					new MediaType().schema(PROBLEM).example(example)));
	}
}
