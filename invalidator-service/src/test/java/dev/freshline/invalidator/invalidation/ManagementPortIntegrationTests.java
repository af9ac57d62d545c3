package dev.freshline.invalidator.invalidation;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import org.springframework.core.env.Environment;

import dev.freshline.embedded.SharedServers;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The invalidator's own port answers the orchestrator's probes and nothing else; its health
 * details and metrics are on the management port (loopback, no token).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ManagementPortIntegrationTests {

	private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

	private InvalidatorStack stack;

	@BeforeAll
	void start() {
		this.stack = new InvalidatorStack(SharedServers.get().redis(), Map.of());
	}

	@AfterAll
	void stop() {
		this.stack.close();
	}

	@Test
	void shouldServeOnlyTheProbesOnItsOwnPort() throws Exception {
		for (String probe : new String[] { "/livez", "/readyz" }) {
			HttpResponse<String> response = get("local.server.port", probe);
			assertThat(response.statusCode()).as(probe).isEqualTo(200);
			assertThat(response.body()).as(probe).contains("\"status\":\"UP\"").doesNotContain("components");
		}
		assertThat(get("local.server.port", "/actuator/health").statusCode()).isEqualTo(404);
		assertThat(get("local.server.port", "/actuator/metrics").statusCode()).isEqualTo(404);
	}

	@Test
	void shouldServeHealthDetailsAndMetricsOnTheManagementPort() throws Exception {
		HttpResponse<String> health = get("local.management.port", "/actuator/health");
		assertThat(health.statusCode()).isEqualTo(200);
		assertThat(health.body()).contains("\"components\"");
		assertThat(get("local.management.port", "/actuator/metrics/freshline.invalidator.keys.deleted").statusCode())
			.isEqualTo(200);
		assertThat(get("local.management.port", "/actuator/inspector").statusCode())
			.as("the inspector's switch only where an operator exposed it").isEqualTo(404);
	}

	private HttpResponse<String> get(String portProperty, String path) throws Exception {
		String port = this.stack.bean(Environment.class).getProperty(portProperty);
		return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
			.timeout(Duration.ofSeconds(10))
			.build(), HttpResponse.BodyHandlers.ofString());
	}
}
