package dev.freshline.api.docs;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.servlet.mvc.method.RequestMappingInfo;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;

import dev.freshline.api.TestApi;
import dev.freshline.embedded.LocalIssuer;
import dev.freshline.embedded.SharedServers;
import dev.freshline.embedded.TestDatabase;
import dev.freshline.model.Scopes;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The OpenAPI description of a running API against what that API does: every handler Spring MVC
 * registered is described (a new endpoint without a description fails here), with a summary, the
 * bearer scheme and the scope the API really enforces, and the freshness headers on the cached
 * reads. The bench endpoints are described where they are served and nowhere else.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ApiDescriptionIntegrationTests {

	private static final HttpClient http = HttpClient.newHttpClient();

	private static final JsonMapper json = JsonMapper.builder().build();

	private static final LocalIssuer issuer = LocalIssuer.forTests();

	private static final List<String> SCOPES = List.of(Scopes.PATIENTS_READ, Scopes.FORMULARY_READ, Scopes.ADMIN);

	private static final List<String> CACHED_READS = List.of("GET /patients/{id}", "GET /wards/{ward}/patients",
			"GET /hospitals/{hospitalId}/formulary");

	private TestDatabase database;

	private ConfigurableApplicationContext api;

	private JsonNode description;

	@BeforeAll
	void start() throws Exception {
		this.database = SharedServers.get().newDatabase();
		this.api = TestApi
			.start(TestApi.environment(this.database, SharedServers.get().redis(), SharedServers.uniqueName("docs"))
				.put("freshline.bench.endpoints", true));
		this.description = fetchDescription(this.api);
	}

	@AfterAll
	void stop() {
		this.api.close();
		SharedServers.get().dropDatabase(this.database);
	}

	@Test
	void shouldDescribeEveryEndpointSpringMvcServesAndNothingElse() {
		Set<String> handlers = handlers(this.api);

		assertThat(handlers).as("the handlers this test sees").contains("GET /patients/{id}", "GET /bench/noop");
		assertThat(operations(this.description)).isEqualTo(handlers);
	}

	@Test
	void shouldLeaveTheBenchEndpointsOutWhereTheyAreNotServed() throws Exception {
		TestDatabase plainDatabase = SharedServers.get().newDatabase();
		try (ConfigurableApplicationContext plain = TestApi
			.start(TestApi.environment(plainDatabase, SharedServers.get().redis(), SharedServers.uniqueName("docs")))) {
			Set<String> described = operations(fetchDescription(plain));

			assertThat(described).isEqualTo(handlers(plain)).noneMatch((operation) -> operation.contains("/bench/"));
		}
		finally {
			SharedServers.get().dropDatabase(plainDatabase);
		}
	}

	@Test
	void shouldGiveEveryEndpointASummaryItsScopeAndTheRefusals() {
		Set<String> operationIds = new TreeSet<>();
		for (String name : operations(this.description)) {
			JsonNode operation = operation(name);
			assertThat(operation.path("summary").asString("")).as(name).isNotBlank();
			// springdoc's own ids are method names, made unique by a suffix that depends on scan order
			assertThat(operationIds.add(operation.path("operationId").asString(""))).as("%s: a unique operationId", name)
				.isTrue();
			assertThat(operation.path("operationId").asString("")).as(name).doesNotContain("_");
			// scope() also fails an endpoint that names none: one left to the default bearer requirement
			if (scope(operation) != null) {
				assertThat(operation.path("responses").propertyNames()).as(name).contains("401", "403");
			}
		}
	}

	@Test
	void shouldDescribeTheBearerJwtScheme() {
		JsonNode scheme = this.description.path("components").path("securitySchemes").path(ApiDescription.BEARER);

		assertThat(scheme.path("type").asString("")).isEqualTo("http");
		assertThat(scheme.path("scheme").asString("")).isEqualTo("bearer");
		assertThat(scheme.path("bearerFormat").asString("")).isEqualTo("JWT");
	}

	@Test
	void shouldNameTheScopeEachEndpointReallyNeeds() throws Exception {
		List<String> checked = new ArrayList<>();
		for (String name : operations(this.description)) {
			JsonNode operation = operation(name);
			String method = name.substring(0, name.indexOf(' '));
			// any value gets past the security rules; "0" is refused later (400 or 404) or reads nothing
			String path = name.substring(name.indexOf(' ') + 1).replaceAll("\\{[^}]+}", "0");
			String scope = scope(operation);
			if (scope == null) {
				assertThat(send(method, path, null).statusCode()).as("%s without a token", name).isNotIn(401, 403);
				continue;
			}
			List<String> others = SCOPES.stream().filter((other) -> !other.equals(scope)).toList();
			assertThat(send(method, path, token(others)).statusCode()).as("%s with %s", name, others).isEqualTo(403);
			assertThat(send(method, path, token(List.of(scope))).statusCode()).as("%s with %s", name, scope)
				.isNotIn(401, 403);
			checked.add(name);
		}
		assertThat(checked).as("the endpoints whose scope was checked").hasSizeGreaterThan(10);
	}

	@Test
	void shouldDescribeTheFreshnessHeadersOnTheCachedReads() {
		JsonNode components = this.description.path("components");
		assertThat(components.path("parameters").path("Freshline-After").path("in").asString("")).isEqualTo("header");
		assertThat(components.path("headers").path("Freshline-Cache").toString()).contains("hit", "miss", "bypass");

		for (String name : CACHED_READS) {
			JsonNode operation = operation(name);
			assertThat(operation.path("parameters").toString()).as(name).contains("#/components/parameters/Freshline-After");
			assertThat(operation.path("responses").path("200").path("headers").has("Freshline-Cache")).as(name).isTrue();
			assertThat(operation.path("responses").path("200").path("content").toString()).as("%s: JSON, not bytes", name)
				.contains("#/components/schemas/").doesNotContain("binary");
		}
		for (String write : List.of("POST /admin/patients 201", "PUT /admin/patients/{id} 200",
				"DELETE /admin/patients/{id} 204", "POST /admin/formulary-items 201", "PUT /admin/formulary-items/{id} 200",
				"DELETE /admin/formulary-items/{id} 204")) {
			String name = write.substring(0, write.lastIndexOf(' '));
			String status = write.substring(write.lastIndexOf(' ') + 1);
			assertThat(operation(name).path("responses").path(status).path("headers").has("Freshline-After"))
				.as("%s answers %s with its commit position", name, status)
				.isTrue();
		}
	}

	@Test
	void shouldCarrySyntheticExamplesOfTheBodies() {
		JsonNode schemas = this.description.path("components").path("schemas");

		for (String body : List.of("Patient", "PatientRequest", "FormularyItem", "FormularyItemRequest")) {
			assertThat(schemas.path(body).has("example") || schemas.path(body).has("examples")).as(body).isTrue();
		}
		assertThat(schemas.path("Patient").toString()).contains("MRN-000042", "Patient 42");
	}

	/** Every {@code METHOD path} the API's own handlers serve: not the error page, not the description itself. */
	private static Set<String> handlers(ConfigurableApplicationContext api) {
		RequestMappingHandlerMapping mapping = api.getBean("requestMappingHandlerMapping",
				RequestMappingHandlerMapping.class);
		Set<String> handlers = new TreeSet<>();
		mapping.getHandlerMethods().forEach((info, method) -> {
			Class<?> type = method.getBeanType();
			if (ErrorController.class.isAssignableFrom(type) || type.getName().startsWith("org.springdoc.")) {
				return;
			}
			handlers.addAll(names(info));
		});
		return handlers;
	}

	private static List<String> names(RequestMappingInfo info) {
		Set<RequestMethod> methods = info.getMethodsCondition().getMethods();
		assertThat(methods).as("%s names its methods", info).isNotEmpty();
		List<String> names = new ArrayList<>();
		for (RequestMethod method : methods) {
			for (String pattern : info.getPatternValues()) {
				names.add(method + " " + pattern);
			}
		}
		return names;
	}

	private static Set<String> operations(JsonNode description) {
		Set<String> operations = new TreeSet<>();
		description.path("paths").properties().forEach((path) -> path.getValue()
			.propertyNames()
			.forEach((method) -> operations.add(method.toUpperCase() + " " + path.getKey())));
		return operations;
	}

	private JsonNode operation(String name) {
		String method = name.substring(0, name.indexOf(' ')).toLowerCase();
		return this.description.path("paths").path(name.substring(name.indexOf(' ') + 1)).path(method);
	}

	/** The scope an operation names, or null for an operation that needs no token. */
	private @Nullable String scope(JsonNode operation) {
		JsonNode security = operation.has("security") ? operation.path("security") : this.description.path("security");
		if (security.isEmpty()) {
			return null;
		}
		JsonNode scopes = security.path(0).path(ApiDescription.BEARER);
		assertThat(scopes.size()).as("one scope per endpoint: %s", security).isEqualTo(1);
		return scopes.path(0).asString();
	}

	private static String token(List<String> scopes) {
		return issuer.mint("docs-" + String.join("-", scopes), Instant.now().plus(Duration.ofHours(1)), scopes);
	}

	private static JsonNode fetchDescription(ConfigurableApplicationContext api) throws Exception {
		HttpRequest request = HttpRequest.newBuilder(URI.create(TestApi.url(api) + "/v3/api-docs")).build();
		HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		return json.readTree(response.body());
	}

	private HttpResponse<String> send(String method, String path, @Nullable String token) throws Exception {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(TestApi.url(this.api) + path))
			.timeout(Duration.ofSeconds(10))
			.header("Content-Type", "application/json")
			.method(method, method.equals("GET") || method.equals("DELETE") ? HttpRequest.BodyPublishers.noBody()
					: HttpRequest.BodyPublishers.ofString("{}"));
		if (token != null) {
			request.header("Authorization", "Bearer " + token);
		}
		return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
	}
}
