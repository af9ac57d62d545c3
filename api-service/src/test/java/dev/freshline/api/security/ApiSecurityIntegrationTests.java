package dev.freshline.api.security;

import java.io.IOException;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.List;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.security.oauth2.jwt.JwtDecoder;

import dev.freshline.api.TestApi;
import dev.freshline.embedded.LocalIssuer;
import dev.freshline.embedded.SharedServers;
import dev.freshline.embedded.TestDatabase;
import dev.freshline.model.CacheKeys;
import dev.freshline.model.Scopes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * The API's door, on a real Postgres and Redis with tokens signed like the local stack's: no token
 * or a bad one is 401, a token without the endpoint's scope is 403 (and changes nothing), the right
 * scope is served, and the health probes and the API's description (Swagger UI too) answer anyone.
 * Refusals are problem details.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ApiSecurityIntegrationTests {

	private static final HttpClient http = HttpClient.newHttpClient();

	private static final LocalIssuer issuer = LocalIssuer.forTests();

	private static final String PATIENT = "{\"mrn\":\"MRN-000043\",\"name\":\"Patient 43\",\"dateOfBirth\":\"1980-01-01\",\"ward\":\"ward-b\"}";

	private final String prefix = SharedServers.uniqueName("sec");

	private TestDatabase database;

	private ConfigurableApplicationContext api;

	private RedisClient redisClient;

	private StatefulRedisConnection<String, String> redis;

	@BeforeAll
	void start() {
		this.database = SharedServers.get().newDatabase();
		this.api = TestApi.start(TestApi.environment(this.database, SharedServers.get().redis(), this.prefix)
			.demoData()
			.put("freshline.bench.endpoints", true));
		this.redisClient = RedisClient.create(SharedServers.get().redis().uri());
		this.redis = this.redisClient.connect();
	}

	@AfterAll
	void stop() {
		this.redis.close();
		this.redisClient.shutdown();
		this.api.close();
		SharedServers.get().dropDatabase(this.database);
	}

	@ParameterizedTest
	@CsvSource({ "GET, /patients/42", "GET, /wards/ward-a/patients", "GET, /hospitals/1/formulary",
			"GET, /bench/noop", "GET, /bench/db/patients/42", "POST, /admin/patients", "PUT, /admin/patients/42",
			"DELETE, /admin/patients/42", "POST, /admin/cache/namespaces/patient/flush",
			"POST, /admin/cache/tags/hospital:1/invalidations", "GET, /actuator/health", "GET, /actuator/metrics",
			"GET, /actuator/prometheus", "GET, /actuator/health/db" })
	void shouldRefuseEveryEndpointButTheProbesAndTheApiDescriptionWithoutATokenWith401(String method, String path)
			throws Exception {
		HttpResponse<String> response = send(method, path, null);

		assertUnauthorized(response);
		assertThat(response.headers().firstValue("WWW-Authenticate")).as("RFC 6750 tells the client to bring a token")
			.hasValueSatisfying((challenge) -> assertThat(challenge).startsWith("Bearer"));
	}

	@Test
	void shouldRefuseATokenSignedByAnotherKeyWith401() throws Exception {
		// the right scopes, the right issuer name, the wrong private key: what a forger can make
		String forged = LocalIssuer.generate().adminToken();

		assertUnauthorized(send("GET", "/patients/42", forged));
		assertUnauthorized(send("POST", "/admin/cache/namespaces/patient/flush", forged));
	}

	@Test
	void shouldRefuseAnExpiredTokenWith401() throws Exception {
		// past Spring Security's 60 s of allowed clock skew
		String expired = issuer.mint("expired-admin", Instant.now().minus(Duration.ofMinutes(5)), LocalIssuer.ADMIN_SCOPES);

		assertUnauthorized(send("GET", "/patients/42", expired));
		assertUnauthorized(send("PUT", "/admin/patients/42", expired));
	}

	@Test
	void shouldRefuseSomethingThatIsNoJwtWith401() throws Exception {
		assertUnauthorized(send("GET", "/patients/42", "not-a-jwt"));
	}

	@ParameterizedTest
	@CsvSource({ "POST, /admin/patients", "PUT, /admin/patients/42", "DELETE, /admin/patients/42",
			"POST, /admin/cache/namespaces/patient/flush", "POST, /admin/cache/tags/hospital:1/invalidations",
			"GET, /actuator/health", "GET, /actuator/metrics" })
	void shouldRefuseTheReaderTokenOnWritesCacheOperationsAndActuatorWith403(String method, String path)
			throws Exception {
		assertForbidden(send(method, path, issuer.readerToken()));
	}

	@Test
	void shouldChangeNothingWhenTheReaderTokenTriesToDeleteOrFlush() throws Exception {
		String reader = issuer.readerToken();
		String cached = new CacheKeys(this.prefix).patient(41);
		this.redis.sync().set(cached, "kept");

		assertForbidden(send("DELETE", "/admin/patients/41", reader));
		HttpResponse<String> flush = send("POST", "/admin/cache/namespaces/patient/flush", reader);
		assertForbidden(flush);
		assertThat(flush.body()).as("as README's step 3 shows it")
			.isEqualTo("{\"detail\":\"The bearer token does not carry the scope this endpoint needs (patients.read, "
					+ "formulary.read or admin)\",\"instance\":\"/admin/cache/namespaces/patient/flush\",\"status\":403,"
					+ "\"title\":\"Forbidden\"}");

		assertThat(countPatients(41)).as("the refused delete reached no SQL").isEqualTo(1);
		assertThat(this.redis.sync().get(cached)).as("the refused flush removed no key").isEqualTo("kept");
	}

	@Test
	void shouldRefuseAFormularyOnlyTokenOnPatientDataWith403() throws Exception {
		String formularyOnly = issuer.mint("pharmacy", Instant.now().plus(Duration.ofHours(1)), List.of(Scopes.FORMULARY_READ));

		assertForbidden(send("GET", "/patients/42", formularyOnly));
		assertForbidden(send("GET", "/wards/ward-a/patients", formularyOnly));
		assertForbidden(send("GET", "/bench/db/patients/42", formularyOnly));
		assertThat(send("GET", "/hospitals/1/formulary", formularyOnly).statusCode()).isEqualTo(200);
	}

	@Test
	void shouldRefuseAPatientsOnlyTokenOnFormulariesWith403() throws Exception {
		String wardNurse = issuer.mint("ward-nurse", Instant.now().plus(Duration.ofHours(1)), List.of(Scopes.PATIENTS_READ));

		assertForbidden(send("GET", "/hospitals/1/formulary", wardNurse));
		assertThat(send("GET", "/patients/42", wardNurse).statusCode()).isEqualTo(200);
	}

	@Test
	void shouldServeReadsWithTheReaderToken() throws Exception {
		String reader = issuer.readerToken();

		HttpResponse<String> patient = send("GET", "/patients/42", reader);
		assertThat(patient.statusCode()).isEqualTo(200);
		assertThat(patient.body()).contains("\"id\":42");
		assertThat(send("GET", "/wards/ward-a/patients", reader).statusCode()).isEqualTo(200);
		assertThat(send("GET", "/hospitals/1/formulary", reader).statusCode()).isEqualTo(200);
		assertThat(send("GET", "/bench/noop", reader).statusCode()).isEqualTo(200);
	}

	@Test
	void shouldLetTheAdminTokenWriteAndFlush() throws Exception {
		String admin = issuer.adminToken();

		HttpResponse<String> written = send("PUT", "/admin/patients/43", admin);
		assertThat(written.statusCode()).as(written.body()).isEqualTo(200);
		assertThat(written.body()).contains("\"ward\":\"ward-b\"");
		assertThat(send("POST", "/admin/cache/namespaces/patient/flush", admin).statusCode()).isEqualTo(200);
	}

	@Test
	void shouldServeTheActuatorOnTheManagementPortOnlyWithoutAToken() throws Exception {
		HttpResponse<String> health = sendTo(managementPort(), "GET", "/actuator/health", null);
		assertThat(health.statusCode()).isEqualTo(200);
		assertThat(health.body()).as("the details").contains("\"components\"", "\"db\"");
		assertThat(sendTo(managementPort(), "GET", "/actuator/metrics/freshline.cache.requests", null).statusCode())
			.isEqualTo(200);
		HttpResponse<String> scrape = sendTo(managementPort(), "GET", "/actuator/prometheus", null);
		assertThat(scrape.statusCode()).isEqualTo(200);
		assertThat(scrape.body()).contains("freshline_cache_requests_total{namespace=\"patient\",result=\"hit\"}");

		// the API's own port has no actuator left, not even for the admin token
		for (String path : List.of("/actuator/health", "/actuator/metrics", "/actuator/prometheus",
				"/actuator/health/readiness")) {
			assertForbidden(send("GET", path, issuer.adminToken()));
		}
	}

	@Test
	void shouldBindTheManagementPortToLoopbackOnly() throws Exception {
		InetAddress external = nonLoopbackAddress();
		assumeThat(external).as("this machine has an address other than loopback").isNotNull();
		int apiPort = URI.create(TestApi.url(this.api)).getPort();

		try (Socket api = new Socket(external, apiPort)) {
			assertThat(api.isConnected()).as("the API's port is reachable at %s", external).isTrue();
		}
		assertThatExceptionOfType(ConnectException.class).as("the management port at %s", external)
			.isThrownBy(() -> new Socket(external, managementPort()).close());
	}

	@Test
	void shouldAnswerTheHealthProbesOnTheApiPortWithoutAToken() throws Exception {
		for (String probe : List.of("/livez", "/readyz")) {
			HttpResponse<String> response = send("GET", probe, null);
			assertThat(response.statusCode()).as(probe).isEqualTo(200);
			assertThat(response.body()).as(probe).contains("\"status\":\"UP\"").doesNotContain("components", "\"db\"");
		}
	}

	@Test
	void shouldServeTheApiDescriptionAndSwaggerUiWithoutAToken() throws Exception {
		// what the endpoints are, with synthetic examples: a client reads it before it has a token
		for (String path : List.of("/v3/api-docs", "/v3/api-docs.yaml", "/v3/api-docs/swagger-config",
				"/swagger-ui/index.html")) {
			HttpResponse<String> response = send("GET", path, null);
			assertThat(response.statusCode()).as(path).isEqualTo(200);
		}
		assertThat(send("GET", "/v3/api-docs", null).body()).contains("\"/patients/{id}\"");
		assertThat(send("GET", "/swagger-ui.html", null).headers().firstValue("Location"))
			.hasValueSatisfying((location) -> assertThat(location).endsWith("/swagger-ui/index.html"));
	}

	@Test
	void shouldVerifyTokensThroughTheCacheOfVerifiedTokens() {
		// the decoder Spring Boot made of the public-key setting, wrapped: VerifiedTokensTests says what that keeps
		assertThat(this.api.getBean(JwtDecoder.class)).isInstanceOf(VerifiedTokens.class);
	}

	@Test
	void shouldRefuseAnEndpointNoRuleNamesEvenToTheAdmin() throws Exception {
		// closed by default: a path added without a rule is not served to anyone
		assertForbidden(send("GET", "/patients", issuer.adminToken()));
	}

	private static void assertUnauthorized(HttpResponse<String> response) {
		assertThat(response.statusCode()).as(response.body()).isEqualTo(401);
		assertProblem(response, 401);
	}

	private static void assertForbidden(HttpResponse<String> response) {
		assertThat(response.statusCode()).as(response.body()).isEqualTo(403);
		assertProblem(response, 403);
	}

	private static void assertProblem(HttpResponse<String> response, int status) {
		assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
		assertThat(response.body()).contains("\"status\":" + status, "\"instance\":\"" + response.uri().getRawPath() + "\"");
	}

	private long countPatients(long id) throws Exception {
		try (Connection connection = this.database.connect(this.database.owner());
				Statement statement = connection.createStatement();
				ResultSet result = statement.executeQuery("SELECT count(*) FROM patient WHERE id = " + id)) {
			result.next();
			return result.getLong(1);
		}
	}

	private int managementPort() {
		return URI.create(TestApi.managementUrl(this.api)).getPort();
	}

	/** An address of this machine that is not loopback, or null on a machine with loopback only. */
	private static @Nullable InetAddress nonLoopbackAddress() throws IOException {
		for (NetworkInterface network : Collections.list(NetworkInterface.getNetworkInterfaces())) {
			if (network.isUp() && !network.isLoopback()) {
				for (InetAddress address : Collections.list(network.getInetAddresses())) {
					if (address instanceof Inet4Address) {
						return address;
					}
				}
			}
		}
		return null;
	}

	private HttpResponse<String> send(String method, String path, @Nullable String token)
			throws IOException, InterruptedException {
		return sendTo(URI.create(TestApi.url(this.api)).getPort(), method, path, token);
	}

	private HttpResponse<String> sendTo(int port, String method, String path, @Nullable String token)
			throws IOException, InterruptedException {
		HttpRequest.Builder request = HttpRequest
			.newBuilder(URI.create("http://127.0.0.1:" + port + path))
			.timeout(Duration.ofSeconds(10))
			.header("Content-Type", "application/json")
			.method(method, method.equals("GET") || method.equals("DELETE") ? HttpRequest.BodyPublishers.noBody()
					: HttpRequest.BodyPublishers.ofString(PATIENT));
		if (token != null) {
			request.header("Authorization", "Bearer " + token);
		}
		return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
	}
}
