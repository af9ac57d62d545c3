package dev.freshline.invalidator.invalidation;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.core.env.Environment;

import dev.freshline.cache.CachedValue;
import dev.freshline.embedded.SharedServers;

import static org.assertj.core.api.Assertions.assertThat;
import static dev.freshline.invalidator.invalidation.Waits.await;

/**
 * The consistency inspector reads back each change's keys after its grace and finds an entry
 * older than the change: here one planted at the inspector's named point, after the change was
 * applied, as a bug or a replica restored over a newer value would leave it. It counts, repairs
 * and leaves a legitimate refill alone; with inspection off the same stale entry stays.
 */
class ConsistencyInspectorIntegrationTests {

	/** Inspect at the next tick: the tests decide what Redis holds at the named point, not a timer. */
	private static final Map<String, Object> NO_GRACE = Map.of("INVALIDATOR_INSPECTOR_GRACE", "0s");

	private InvalidatorStack stack;

	@AfterEach
	void stop() {
		if (this.stack != null) {
			this.stack.close();
		}
	}

	@Test
	void shouldCountLogAndRepairAnEntryOlderThanTheChange() throws Exception {
		Planting planting = new Planting();
		this.stack = new InvalidatorStack(SharedServers.get().redis(), NO_GRACE, planting);
		String key = this.stack.keys.patient(1);
		// the change's version is 2 (the test images'); version 1 is the row before it
		planting.plant(key, entity(1, 1));

		this.stack.send(this.stack.topics.changes("patient"), "{\"id\":1}", InvalidatorStack.patientChange("u", 1L, 1L));

		await("the stale entry found").until(() -> this.stack.counter("freshline.inspector.inconsistent", "namespace", "patient") == 1);
		await("repaired").until(() -> this.stack.counter("freshline.inspector.repaired") == 1);
		assertThat(this.stack.redis().exists(key)).as("invalidated").isZero();
		assertThat(this.stack.redis().get(this.stack.keys.floor(key))).as("the floor stays the change's").isEqualTo("2");
		assertThat(this.stack.counter("freshline.inspector.checked", "namespace", "ward"))
			.as("the change's other key, the ward list, read back too").isPositive();
		assertThat(this.stack.counter("freshline.inspector.inconsistent", "namespace", "ward")).isZero();
	}

	@Test
	void shouldLeaveAnEntryFilledAfterTheChangeAlone() throws Exception {
		Planting planting = new Planting();
		this.stack = new InvalidatorStack(SharedServers.get().redis(), NO_GRACE, planting);
		String key = this.stack.keys.patient(2);
		// a reader's fill of the changed row, at the change's own version: what the protocol allows
		planting.plant(key, entity(2, 2));

		this.stack.send(this.stack.topics.changes("patient"), "{\"id\":2}", InvalidatorStack.patientChange("u", 2L, 2L));

		await("read back").until(() -> this.stack.counter("freshline.inspector.checked", "namespace", "patient") >= 1);
		assertThat(this.stack.counter("freshline.inspector.inconsistent")).isZero();
		assertThat(this.stack.redis().get(key)).as("still cached").isNotNull();
	}

	@Test
	void negativeControlTheSameStaleEntryStaysWithInspectionOff() throws Exception {
		this.stack = new InvalidatorStack(SharedServers.get().redis(),
				Map.of("INVALIDATOR_INSPECTOR", "false", "INVALIDATOR_INSPECTOR_GRACE", "0s"));
		String key = this.stack.keys.patient(3);
		this.stack.send(this.stack.topics.changes("patient"), "{\"id\":3}", InvalidatorStack.patientChange("u", 3L, 3L));
		await("applied").until(() -> "2".equals(this.stack.redis().get(this.stack.keys.floor(key))));

		this.stack.redis().set(key, new String(entity(3, 1), StandardCharsets.UTF_8));

		// with no grace, an inspector would read the key within its 100 ms interval: twenty of those pass
		await("the stale entry stays").during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5))
			.until(() -> this.stack.redis().exists(key) == 1);
		assertThat(this.stack.counter("freshline.inspector.checked")).isZero();
	}

	@Test
	void shouldPauseAndResumeThroughItsManagementEndpoint() throws Exception {
		Planting planting = new Planting();
		Map<String, Object> settings = new java.util.HashMap<>(NO_GRACE);
		settings.put("MANAGEMENT_ENDPOINTS_WEB_EXPOSURE_INCLUDE", "health,inspector");
		this.stack = new InvalidatorStack(SharedServers.get().redis(), settings, planting);
		assertThat(inspector("{\"active\":false}").body()).contains("\"active\":false");
		String paused = this.stack.keys.patient(4);
		this.stack.send(this.stack.topics.changes("patient"), "{\"id\":4}", InvalidatorStack.patientChange("u", 4L, 4L));
		await("applied").until(() -> "2".equals(this.stack.redis().get(this.stack.keys.floor(paused))));
		this.stack.redis().set(paused, new String(entity(4, 1), StandardCharsets.UTF_8));

		await("not read back while paused").during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5))
			.until(() -> this.stack.redis().exists(paused) == 1);
		assertThat(this.stack.counter("freshline.inspector.checked")).isZero();

		assertThat(inspector("{\"active\":true}").body()).contains("\"active\":true");
		String resumed = this.stack.keys.patient(5);
		planting.plant(resumed, entity(5, 1));
		this.stack.send(this.stack.topics.changes("patient"), "{\"id\":5}", InvalidatorStack.patientChange("u", 5L, 5L));

		await("found once resumed").until(() -> this.stack.counter("freshline.inspector.repaired") == 1);
		assertThat(this.stack.redis().exists(resumed)).isZero();
		assertThat(inspector(null).body()).contains("\"active\":true", "\"inconsistent\":1");
	}

	/** GET {@code /actuator/inspector}, or POST {@code body} to it, on the management port. */
	private HttpResponse<String> inspector(String body) throws Exception {
		String port = this.stack.bean(Environment.class).getProperty("local.management.port");
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/inspector"))
			.timeout(Duration.ofSeconds(10));
		if (body != null) {
			request.header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
		}
		HttpResponse<String> response = HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		return response;
	}

	/** A patient entry as the API stores it: deadline, then the JSON with the row's id and version. */
	private static byte[] entity(long id, long version) {
		String json = "{\"id\":" + id + ",\"mrn\":\"SYN-" + id + "\",\"version\":" + version + "}";
		return CachedValue.wrap(System.currentTimeMillis() + 600_000, json.getBytes(StandardCharsets.UTF_8));
	}

	/** Writes an entry at the inspector's named point, before it reads the key back. */
	private final class Planting implements InvalidationHooks {

		private final Map<String, byte[]> entries = new ConcurrentHashMap<>();

		void plant(String key, byte[] value) {
			this.entries.put(key, value);
		}

		@Override
		public void beforeInspection(String key) {
			byte[] value = this.entries.remove(key);
			if (value != null) {
				ConsistencyInspectorIntegrationTests.this.stack.redis().set(key, new String(value, StandardCharsets.UTF_8));
			}
		}
	}
}
