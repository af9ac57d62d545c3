package dev.freshline.api.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import org.springframework.context.ConfigurableApplicationContext;

import dev.freshline.api.TestApi;
import dev.freshline.embedded.LocalIssuer;
import dev.freshline.embedded.SharedServers;
import dev.freshline.embedded.TestDatabase;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The one endpoint the API serves without a token besides the health probes, the bench's
 * anonymous no-op, on two real APIs: one with the bench endpoints on, where anyone gets its
 * constant body, and one with them off (the default), where the open rule leads nowhere.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BenchControllerIntegrationTests {

	private static final HttpClient http = HttpClient.newHttpClient();

	private static final String READER = LocalIssuer.forTests().readerToken();

	private TestDatabase database;

	private ConfigurableApplicationContext benchOn;

	private ConfigurableApplicationContext benchOff;

	@BeforeAll
	void start() {
		// the no-op reads nothing: both APIs can share one database
		this.database = SharedServers.get().newDatabase();
		this.benchOn = api(true);
		this.benchOff = api(false);
	}

	@AfterAll
	void stop() {
		this.benchOn.close();
		this.benchOff.close();
		SharedServers.get().dropDatabase(this.database);
	}

	@Test
	void shouldServeTheAnonymousNoopWithoutATokenWhenBenchEndpointsAreOn() throws Exception {
		HttpResponse<String> response = get(this.benchOn, "/bench/anonymous-noop", null);

		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		assertThat(response.body()).isEqualTo("{}");
		assertThat(response.body()).as("the same body as the noop with a token")
			.isEqualTo(get(this.benchOn, "/bench/noop", READER).body());
	}

	@Test
	void shouldStillRefuseTheNoopWithoutATokenWhenBenchEndpointsAreOn() throws Exception {
		// only the anonymous baseline is open: the one hit_vs_noop uses pays the token check
		assertThat(get(this.benchOn, "/bench/noop", null).statusCode()).isEqualTo(401);
	}

	@Test
	void shouldNotServeTheAnonymousNoopWhenBenchEndpointsAreOff() throws Exception {
		HttpResponse<String> anonymous = get(this.benchOff, "/bench/anonymous-noop", null);

		assertThat(anonymous.statusCode()).as(anonymous.body()).isEqualTo(404);
		assertThat(anonymous.body()).doesNotContain("{}");
		assertThat(get(this.benchOff, "/bench/noop", READER).statusCode()).as("no bench endpoint exists").isEqualTo(404);
	}

	private ConfigurableApplicationContext api(boolean benchEndpoints) {
		return TestApi.start(TestApi.environment(this.database, SharedServers.get().redis(), SharedServers.uniqueName("bench"))
			.put("freshline.bench.endpoints", benchEndpoints));
	}

	private static HttpResponse<String> get(ConfigurableApplicationContext api, String path, @Nullable String token)
			throws IOException, InterruptedException {
		HttpRequest.Builder request = HttpRequest
			.newBuilder(URI.create(TestApi.url(api) + path))
			.timeout(Duration.ofSeconds(10))
			.GET();
		if (token != null) {
			request.header("Authorization", "Bearer " + token);
		}
		return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
	}
}
