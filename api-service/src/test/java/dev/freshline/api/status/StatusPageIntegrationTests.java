package dev.freshline.api.status;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.context.ConfigurableApplicationContext;

import dev.freshline.api.TestApi;
import dev.freshline.embedded.LocalIssuer;
import dev.freshline.embedded.SharedServers;
import dev.freshline.embedded.TestDatabase;
import dev.freshline.model.CacheKeys;
import dev.freshline.model.InvalidatorStatus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * The status page on a real API, Postgres and Redis, with an invalidator's status published as
 * the invalidator publishes it: its JSON has this instance's requests and staleness and the
 * running invalidators' figures (a stopped one's left out), the page is served on the management
 * port only, needs nothing from elsewhere, and headless Chromium shows the figures once its
 * script ran.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StatusPageIntegrationTests {

	private static final HttpClient http = HttpClient.newHttpClient();

	private final String prefix = SharedServers.uniqueName("status");

	private TestDatabase database;

	private ConfigurableApplicationContext api;

	private RedisClient redisClient;

	private StatefulRedisConnection<String, String> redis;

	@BeforeAll
	void start() throws Exception {
		this.database = SharedServers.get().newDatabase();
		this.api = TestApi.start(TestApi.environment(this.database, SharedServers.get().redis(), this.prefix).demoData());
		this.redisClient = RedisClient.create(SharedServers.get().redis().uri());
		this.redis = this.redisClient.connect();
		CacheKeys keys = new CacheKeys(this.prefix);
		long now = System.currentTimeMillis();
		this.redis.sync().hset(keys.status(), "invalidator-a", new InvalidatorStatus(now + 60_000, 0.012, 0.045, 3_000, 0, 1_000).encode());
		this.redis.sync().hset(keys.status(), "invalidator-gone", new InvalidatorStatus(now - 60_000, 9, 9, 7, 7, 1_000).encode());
		// a miss, then a hit
		String reader = LocalIssuer.forTests().readerToken();
		for (int i = 0; i < 2; i++) {
			assertThat(get(TestApi.url(this.api) + "/patients/42", reader).statusCode()).isEqualTo(200);
		}
	}

	@AfterAll
	void stop() {
		this.redis.close();
		this.redisClient.shutdown();
		this.api.close();
		SharedServers.get().dropDatabase(this.database);
	}

	@Test
	void shouldGiveThisInstancesFiguresAndTheRunningInvalidatorsInJson() throws Exception {
		HttpResponse<String> response = get(TestApi.managementUrl(this.api) + "/status.json", null);

		assertThat(response.statusCode()).isEqualTo(200);
		JsonNode status = JsonMapper.builder().build().readTree(response.body());
		assertThat(status.path("requests").path("hit").asLong()).isEqualTo(1);
		assertThat(status.path("requests").path("miss").asLong()).isEqualTo(1);
		assertThat(status.path("stalenessSeconds").propertyNames()).containsExactlyInAnyOrder("patient", "ward", "formulary");
		assertThat(status.path("invalidators")).hasSize(1);
		assertThat(status.path("invalidators").get(0).path("instance").asString()).isEqualTo("invalidator-a");
		assertThat(status.path("invalidators").get(0).path("lagP99Seconds").asDouble()).isEqualTo(0.045);
		assertThat(status.path("consistency").path("checked").asLong()).as("the stopped invalidator's left out").isEqualTo(3_000);
		assertThat(status.path("consistency").path("nines").asDouble()).isCloseTo(3.0, within(1e-9));
		assertThat(status.path("consistency").path("bounded").asBoolean()).isTrue();
	}

	@Test
	void shouldServeAPageWithNothingFromElsewhereOnTheManagementPortOnly() throws Exception {
		HttpResponse<String> page = get(TestApi.managementUrl(this.api) + "/status", null);

		assertThat(page.statusCode()).isEqualTo(200);
		assertThat(page.headers().firstValue("Content-Type")).hasValueSatisfying((type) -> assertThat(type).startsWith("text/html"));
		assertThat(page.body()).doesNotContain("src=", "href=", "http://", "https://").contains("status.json");
		String admin = LocalIssuer.forTests().adminToken();
		assertThat(get(TestApi.url(this.api) + "/status", admin).statusCode()).as("the API's own port").isNotEqualTo(200);
	}

	@Test
	void shouldShowTheFiguresInABrowser() throws Exception {
		String chromium = browser();
		assumeThat(chromium).as("chromium is not installed (apt-get install chromium); .ci/run installs it").isNotNull();
		Path profile = Files.createTempDirectory("freshline-chromium");
		// --dump-dom prints the page as the browser built it, after its script ran for the virtual time given
		Process browser = new ProcessBuilder(chromium, "--headless", "--no-sandbox", "--disable-gpu",
				"--user-data-dir=" + profile, "--virtual-time-budget=3000", "--dump-dom",
				TestApi.managementUrl(this.api) + "/status")
			.redirectError(ProcessBuilder.Redirect.DISCARD)
			.start();
		String dom = new String(browser.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertThat(browser.waitFor(60, TimeUnit.SECONDS)).isTrue();

		assertThat(dom).contains("id=\"lag\">p99 45.0 ms<", "class=\"value ok\" id=\"nines\">≥ 3.0 nines<",
				"0 inconsistent of 3000 checked, T = 1000 ms", "<td>invalidator-a</td>")
			.doesNotContain("invalidator-gone");
	}

	private static @Nullable String browser() {
		for (String name : List.of("chromium", "chromium-browser", "google-chrome")) {
			for (String directory : System.getenv("PATH").split(":")) {
				if (Files.isExecutable(Path.of(directory, name))) {
					return Path.of(directory, name).toString();
				}
			}
		}
		return null;
	}

	private static HttpResponse<String> get(String url, @Nullable String token) throws IOException, InterruptedException {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET();
		if (token != null) {
			request.header("Authorization", "Bearer " + token);
		}
		return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
	}
}
