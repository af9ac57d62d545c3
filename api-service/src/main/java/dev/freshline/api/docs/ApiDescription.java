package dev.freshline.api.docs;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.IntStream;

import io.swagger.v3.core.converter.ModelConverters;
import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.SpecVersion;
import io.swagger.v3.oas.models.headers.Header;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.media.ArraySchema;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.media.StringSchema;
import io.swagger.v3.oas.models.parameters.Parameter;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.responses.ApiResponses;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import org.jspecify.annotations.Nullable;
import org.springdoc.core.customizers.OpenApiCustomizer;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;

import dev.freshline.api.cache.CacheOutcome;
import dev.freshline.api.formulary.FormularyItem;
import dev.freshline.api.freshness.ReadAfter;
import dev.freshline.api.patient.Patient;
import dev.freshline.model.Scopes;

/**
 * What the OpenAPI description says beyond what springdoc reads from the controllers: the bearer
 * scheme and each endpoint's scope (as {@code ApiSecurityConfiguration} enforces it), the errors
 * each answers (as the controllers and {@code ApiExceptionHandler} raise them), the freshness
 * headers, the JSON the cached reads send as stored bytes, and synthetic examples. One table, so
 * the whole contract reads in one place; {@code ApiDescriptionIntegrationTests} holds it to the
 * handlers Spring MVC registered and to the scopes the running API enforces.
 */
@Configuration(proxyBeanMethods = false)
class ApiDescription {

	/** The security scheme's name in the description. */
	static final String BEARER = "bearer-jwt";

	private static final String APPLICATION_JSON = org.springframework.http.MediaType.APPLICATION_JSON_VALUE;

	/**
	 * Each endpoint as {@code METHOD path}, the path as Spring MVC maps it, with an operation id of
	 * its own (springdoc's would be the method name, {@code create_1} for the second {@code create}).
	 */
	private static final Map<String, Endpoint> ENDPOINTS = Map.ofEntries(
			Map.entry("GET /patients/{id}",
					Endpoint.cachedRead("getPatient", Scopes.PATIENTS_READ, "One patient", ref("Patient"), 400, 404)),
			Map.entry("GET /wards/{ward}/patients", Endpoint.cachedRead("getWardCensus", Scopes.PATIENTS_READ,
					"The patients on a ward (an empty list for a ward nobody is on)", array("Patient"), 400)),
			Map.entry("GET /hospitals/{hospitalId}/formulary", Endpoint.cachedRead("getFormulary", Scopes.FORMULARY_READ,
					"A hospital's whole formulary (404 for a hospital without items)", array("FormularyItem"), 400, 404)),
			Map.entry("POST /admin/patients", Endpoint.write("createPatient", 201, "Create a patient", 400, 409)),
			Map.entry("PUT /admin/patients/{id}", Endpoint.write("updatePatient", 200,
					"Replace a patient's fields (a new ward moves them)", 400, 404, 409)),
			Map.entry("DELETE /admin/patients/{id}", Endpoint.write("deletePatient", 204, "Delete a patient", 400, 404)),
			Map.entry("POST /admin/formulary-items",
					Endpoint.write("createFormularyItem", 201, "Add a formulary item", 400, 409)),
			Map.entry("PUT /admin/formulary-items/{id}", Endpoint.write("updateFormularyItem", 200,
					"Replace a formulary item's fields (a new hospitalId moves it)", 400, 404, 409)),
			Map.entry("DELETE /admin/formulary-items/{id}",
					Endpoint.write("deleteFormularyItem", 204, "Delete a formulary item", 400, 404)),
			Map.entry("POST /admin/cache/namespaces/{namespace}/flush", Endpoint.cacheRepair("flushNamespace",
					"Drop a namespace's values, leases and floors (SCAN + UNLINK in batches); only namespaces the rules declare",
					404)),
			Map.entry("POST /admin/cache/tags/{tag}/invalidations", Endpoint.cacheRepair("invalidateTag",
					"Invalidate every entry carrying a tag, such as hospital:3; only tags the rules declare", 400, 404)),
			// served only where FRESHLINE_BENCH_ENDPOINTS=true, and springdoc describes only what is served
			Map.entry("GET /bench/noop", Endpoint.bench("benchNoop", Scopes.PATIENTS_READ,
					"A constant {} behind the token check: the baseline of hit_vs_noop")),
			Map.entry("GET /bench/anonymous-noop", Endpoint.bench("benchAnonymousNoop", null,
					"A constant {} without the token check: what the check costs")),
			Map.entry("GET /bench/db/patients/{id}", Endpoint.bench("benchDbPatient", Scopes.PATIENTS_READ,
					"The bytes of GET /patients/{id}, always from Postgres", ref("Patient"), 400, 404)));

	@Bean
	OpenAPI openApi() {
		return new OpenAPI().info(new Info().title("Freshline API")
			.version("v1")
			.description("""
					Patients, ward censuses and hospital formularies read through a Redis cache that \
					change data capture keeps coherent with Postgres, and the admin writes and cache \
					repairs behind them. Every endpoint needs a JWT bearer token carrying its scope \
					(patients.read, formulary.read or admin). Reads say in Freshline-Cache how they were \
					served; any writer reads its own write on any instance by sending the commit position \
					as Freshline-After. All data shown here is synthetic."""))
			.components(new Components().addSecuritySchemes(BEARER, new SecurityScheme().type(SecurityScheme.Type.HTTP)
				.scheme("bearer")
				.bearerFormat("JWT")
				.description("A JWT from the issuer this API trusts; its scope claim carries patients.read, "
						+ "formulary.read and/or admin, and each operation names the one it needs. "
						+ "No token or a bad one is a 401, a token without the scope a 403.")))
			// every endpoint needs a token unless its own entry says otherwise
			.addSecurityItem(new SecurityRequirement().addList(BEARER));
	}

	@Bean
	OpenApiCustomizer endpointDetails() {
		return (openApi) -> {
			addComponents(openApi);
			openApi.getPaths().forEach((path, item) -> item.readOperationsMap().forEach((method, operation) -> {
				Endpoint endpoint = ENDPOINTS.get(method + " " + path);
				if (endpoint != null) {
					endpoint.describe(operation);
				}
			}));
		};
	}

	private static void addComponents(OpenAPI openApi) {
		Components components = openApi.getComponents();
		ModelConverters converters = ModelConverters.getInstance(openApi.getSpecVersion() == SpecVersion.V31);
		// the cached reads send stored bytes, so springdoc sees no type to read these from
		converters.readAll(Patient.class).forEach(components::addSchemas);
		converters.readAll(FormularyItem.class).forEach(components::addSchemas);
		Examples.addTo(components);
		components
			.addParameters(ReadAfter.HEADER, new Parameter().in("header")
				.name(ReadAfter.HEADER)
				.required(false)
				.schema(new StringSchema().pattern("^[0-9A-Fa-f]{1,8}/[0-9A-Fa-f]{1,8}$"))
				.example("0/1A2B3C4D")
				.description("""
						Read-your-writes: the answer reflects every transaction committed at or before this \
						Postgres WAL position (the X/XXXXXXXX form of pg_current_wal_insert_lsn(), read after \
						the writer's commit, or the Freshline-After an admin write answered with). The cache is \
						used only once the invalidator has applied the position; the read waits up to \
						fence.after-wait (50 ms) for that and otherwise reads Postgres (Freshline-Cache: bypass). \
						A value that is not a WAL position is a 400."""))
			.addHeaders(CacheOutcome.HEADER, new Header().schema(new StringSchema()._enum(List.of("hit", "miss", "bypass")))
				.description("""
						How the read was served: hit from Redis; miss from Postgres because Redis held no \
						value (then filled, unless the fill protocol refused it); bypass from Postgres without \
						asking Redis, because Redis failed (fail-open) or the freshness fence found \
						invalidation behind max-staleness or behind the request's Freshline-After. A cached \
						read's 404 carries it too: an unknown id is cached like a record."""))
			.addHeaders(ReadAfter.HEADER, new Header().schema(new StringSchema())
				.example("0/1A2B3C4D")
				.description("""
						The write's commit position (pg_current_wal_insert_lsn() read after its commit): send \
						it as the Freshline-After request header to read this write on any instance."""));
		for (int status : List.of(400, 401, 403, 404, 409, 503)) {
			components.addResponses(String.valueOf(status), Problems.response(status));
		}
	}

	private static Schema<?> ref(String component) {
		return new Schema<>().$ref("#/components/schemas/" + component);
	}

	private static Schema<?> array(String component) {
		return new ArraySchema().items(ref(component));
	}

	/** One endpoint's entry: its summary, scope (null: none), what it answers and which headers it carries. */
	private record Endpoint(String operationId, String tag, String summary, @Nullable String scope, int status,
			boolean cached, boolean write, @Nullable Schema<?> body, int... errors) {

		static Endpoint cachedRead(String operationId, String scope, String summary, Schema<?> body, int... errors) {
			return new Endpoint(operationId, "reads", summary, scope, 200, true, false, body, unavailableToo(errors));
		}

		/** A write answering {@code status}: 201 for a create (with Location), 200 for an update, 204 for a delete. */
		static Endpoint write(String operationId, int status, String summary, int... errors) {
			return new Endpoint(operationId, "admin writes", summary, Scopes.ADMIN, status, false, true, null,
					unavailableToo(errors));
		}

		static Endpoint cacheRepair(String operationId, String summary, int... errors) {
			return new Endpoint(operationId, "cache repair", summary, Scopes.ADMIN, 200, false, false, null,
					unavailableToo(errors));
		}

		/** Every read, write and repair needs Postgres or Redis, and answers 503 while it does not answer. */
		private static int[] unavailableToo(int... errors) {
			return IntStream.concat(IntStream.of(errors), IntStream.of(503)).toArray();
		}

		static Endpoint bench(String operationId, @Nullable String scope, String summary, int... errors) {
			return bench(operationId, scope, summary, new Schema<>().type("object"), errors);
		}

		static Endpoint bench(String operationId, @Nullable String scope, String summary, Schema<?> body,
				int... errors) {
			return new Endpoint(operationId, "bench (only with FRESHLINE_BENCH_ENDPOINTS=true)", summary, scope, 200,
					false, false, body, errors);
		}

		void describe(Operation operation) {
			operation.operationId(this.operationId).tags(List.of(this.tag)).summary(this.summary);
			operation.security(
					(this.scope != null) ? List.of(new SecurityRequirement().addList(BEARER, this.scope)) : List.of());
			ApiResponses responses = operation.getResponses();
			// springdoc answers 200 for any ResponseEntity, with */* where a handler declares no type
			Schema<?> inferred = responses.values()
				.stream()
				.map(ApiResponse::getContent)
				.filter(Objects::nonNull)
				.flatMap((content) -> content.values().stream())
				.map(MediaType::getSchema)
				.findFirst()
				.orElse(null);
			Schema<?> body = (this.body != null) ? this.body : inferred;
			ApiResponse success = new ApiResponse().description(HttpStatus.valueOf(this.status).getReasonPhrase());
			if (body != null && this.status != 204) {
				success.content(new Content().addMediaType(APPLICATION_JSON, new MediaType().schema(body)));
			}
			if (this.status == 201) {
				success.addHeaderObject(HttpHeaders.LOCATION, new Header().description("Where the new record is read")
					.schema(new StringSchema()));
			}
			if (this.write) {
				success.addHeaderObject(ReadAfter.HEADER, new Header().$ref("#/components/headers/" + ReadAfter.HEADER));
			}
			if (this.cached) {
				operation.addParametersItem(new Parameter().$ref("#/components/parameters/" + ReadAfter.HEADER));
				success.addHeaderObject(CacheOutcome.HEADER, new Header().$ref("#/components/headers/" + CacheOutcome.HEADER));
			}
			responses.clear();
			responses.addApiResponse(String.valueOf(this.status), success);
			IntStream errors = (this.scope != null) ? IntStream.concat(IntStream.of(this.errors), IntStream.of(401, 403))
					: IntStream.of(this.errors);
			errors.sorted()
				.forEach((status) -> responses.addApiResponse(String.valueOf(status),
						new ApiResponse().$ref("#/components/responses/" + status)));
		}
	}
}
