package dev.freshline.api;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.context.ConfigurableApplicationContext;

import dev.freshline.embedded.LocalIssuer;
import dev.freshline.embedded.RedisServer;
import dev.freshline.embedded.SharedServers;
import dev.freshline.embedded.TestDatabase;
import dev.freshline.model.CacheKeys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The API on a real Postgres (migrated and seeded by Flyway) and a private real Redis that the
 * tests stop and pause: reads fill the cache, bad ids are 400 problems, and a Redis that is down
 * or hanging never turns a read into a 5xx (I3).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ApiIntegrationTests {

	private static final HttpClient http = HttpClient.newHttpClient();

	// the tests here are about the cache: they read as a reader and write as an admin, like the
	// walkthrough; what a token may not do is ApiSecurityIntegrationTests'
	private static final String READER = "Bearer " + LocalIssuer.forTests().readerToken();

	private static final String ADMIN = "Bearer " + LocalIssuer.forTests().adminToken();

	private final String prefix = SharedServers.uniqueName("api");

	private final CacheKeys keys = new CacheKeys(this.prefix);

	private TestDatabase database;

	private RedisServer redis;

	private ConfigurableApplicationContext api;

	private RedisClient redisClient;

	private StatefulRedisConnection<String, String> redisConnection;

	@BeforeAll
	void start() {
		this.database = SharedServers.get().newDatabase();
		this.redis = RedisServer.start();
		this.api = TestApi.start(TestApi.environment(this.database, this.redis, this.prefix)
			.demoData()
			.put("CACHE_FORMULARY_TTL", "1h")
			.put("CACHE_FORMULARY_SLIDING", "3s")
			// a read or write waits this long for Postgres before it answers 503
			.put("API_DB_CONNECTION_TIMEOUT_MS", "1000")
			.put("freshline.bench.endpoints", true));
		this.redisClient = RedisClient.create(this.redis.uri());
		this.redisConnection = this.redisClient.connect();
	}

	@AfterAll
	void stop() {
		this.redisConnection.close();
		this.redisClient.shutdown();
		this.api.close();
		this.redis.close();
		SharedServers.get().dropDatabase(this.database);
	}

	@Test
	void shouldFillTheCacheOnAMissAndServeTheSameBytesOnAHit() throws Exception {
		// the class shares one API and Redis: another test may have read patient 12 already
		redis().del(this.keys.patient(12));
		double missLoadsBefore = loads("miss");
		double failOpenBefore = loads("fail-open");
		HttpResponse<String> miss = get("/patients/12");
		assertThat(miss.statusCode()).isEqualTo(200);
		assertThat(miss.headers().firstValue("Freshline-Cache")).contains("miss");
		assertThat(miss.headers().firstValue("Content-Type")).hasValueSatisfying((type) -> assertThat(type).startsWith("application/json"));
		assertThat(miss.body()).contains("\"id\":12", "\"mrn\":\"MRN-000012\"", "\"version\":1");
		assertThat(redis().get(this.keys.patient(12))).endsWith(miss.body());
		assertThat(loads("miss")).as("the miss read Postgres once").isEqualTo(missLoadsBefore + 1);
		assertThat(loads("fail-open")).isEqualTo(failOpenBefore);

		HttpResponse<String> hit = get("/patients/12");
		assertThat(hit.body()).isEqualTo(miss.body());
		assertThat(hit.headers().firstValue("Freshline-Cache")).contains("hit");
		assertThat(get("/patients/012").body()).as("007 and 7 are one key").isEqualTo(miss.body());
		assertThat(get("/patients/%2012%20").body()).as("surrounding spaces are no alias").isEqualTo(miss.body());
	}

	@Test
	void shouldServeAWardsCensusFromOneCachedList() throws Exception {
		HttpResponse<String> census = get("/wards/ward-c/patients");

		assertThat(census.statusCode()).isEqualTo(200);
		assertThat(census.body()).startsWith("[").contains("\"ward\":\"ward-c\"").doesNotContain("\"ward\":\"ward-b\"");
		assertThat(redis().get(this.keys.key(dev.freshline.model.Namespace.WARD, "ward-c"))).endsWith(census.body());
		assertThat(get("/wards/nobody-here/patients").body()).as("a ward without patients is empty, not missing")
			.isEqualTo("[]");
	}

	@Test
	void shouldHoldNoConnectionAsTheSchemaOwnerOnceMigratedOnlyItsOwnRole() throws Exception {
		get("/patients/12"); // the pool is in use, not merely configured
		try (java.sql.Connection owner = this.database.connect(this.database.owner());
				java.sql.PreparedStatement sessions = owner.prepareStatement("SELECT usename, count(*) FROM pg_stat_activity"
						+ " WHERE datname = ? AND pid <> pg_backend_pid() GROUP BY usename")) {
			sessions.setString(1, this.database.name());
			Map<String, Integer> byRole = new java.util.TreeMap<>();
			try (java.sql.ResultSet rows = sessions.executeQuery()) {
				while (rows.next()) {
					byRole.put(rows.getString(1), rows.getInt(2));
				}
			}
			// Flyway ran as the owner on a connection of its own, closed once it had migrated
			assertThat(byRole).as("sessions on the API's database by role").containsKey(this.database.api().name())
				.doesNotContainKey(this.database.owner().name());
		}
	}

	@ParameterizedTest
	@ValueSource(strings = { "a:b", "%2A", "%7Bward%7D", "ward%7D", "ward%0Aa", "ward%0A", "ward%09", "a%20b",
			"abcdefghijklmnopqrstuvwxyz0123456" })
	void shouldRejectWardsThatCouldCarryKeySyntaxOrExceedTheColumnWith400(String ward) throws Exception {
		// the path is URL-encoded, so the key a mistake would create does not contain it: compare
		// every ward key instead
		java.util.List<String> wardKeysBefore = redis().keys(this.prefix + ":ward:*");

		HttpResponse<String> response = get("/wards/" + ward + "/patients");

		assertThat(response.statusCode()).isEqualTo(400);
		assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
		assertThat(redis().keys(this.prefix + ":ward:*")).as("no key, lease or floor for a refused ward")
			.isSubsetOf(wardKeysBefore);
	}

	@Test
	void shouldServeTheSameBytesFromPostgresOnTheBenchEndpointAsTheCachedRead() throws Exception {
		HttpResponse<String> cached = get("/patients/13");
		HttpResponse<String> direct = get("/bench/db/patients/013");

		assertThat(direct.statusCode()).isEqualTo(200);
		assertThat(direct.body()).as("what a benchmark compares the cached read with").isEqualTo(cached.body());
		assertThat(get("/bench/db/patients/999999").statusCode()).isEqualTo(404);
	}

	@Test
	void shouldCacheNotFoundAndServeTheRowOnceItIsCreated() throws Exception {
		long next = nextPatientId();
		String key = this.keys.patient(next);

		assertThat(get("/patients/" + next).statusCode()).isEqualTo(404);
		assertThat(redis().exists(key)).as("'not found' is cached").isEqualTo(1);
		HttpResponse<String> cachedNotFound = get("/patients/" + next);
		assertThat(cachedNotFound.statusCode()).isEqualTo(404);
		assertThat(cachedNotFound.headers().firstValue("Freshline-Cache")).as("a cached 404 is a hit").contains("hit");

		HttpResponse<String> created = post("/admin/patients",
				"{\"mrn\":\"MRN-NEG-1\",\"name\":\"Ada Negative\",\"dateOfBirth\":\"1990-01-02\",\"ward\":\"ward-a\"}");
		assertThat(created.statusCode()).isEqualTo(201);
		assertThat(created.body()).contains("\"id\":" + next);
		assertThat(created.headers().firstValue("Freshline-Cache")).as("a write reads nothing cached").isEmpty();

		HttpResponse<String> found = get("/patients/" + next);
		assertThat(found.statusCode()).as("the create evicted the cached 404").isEqualTo(200);
		assertThat(found.body()).contains("MRN-NEG-1");
	}

	@Test
	void shouldEvictWhatEachAdminWriteAffectsBeforeItAnswers() throws Exception {
		// No invalidator runs here: a key gone when the response arrives was evicted by the API's
		// own write. Sentinels without expiry, so nothing disappears by itself meanwhile.
		String hospital1 = this.keys.formulary(1);
		String hospital2 = this.keys.formulary(2);
		String bystander = this.keys.formulary(6);
		redis().set(bystander, "cached");

		redis().set(hospital1, "cached");
		HttpResponse<String> created = post("/admin/formulary-items", formularyItem(1, "Admin Drug"));
		assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
		assertThat(redis().exists(hospital1)).as("a create evicts its hospital's list").isZero();
		long item = idOf(created.body());

		redis().mset(Map.of(hospital1, "cached", hospital2, "cached"));
		assertThat(put("/admin/formulary-items/" + item, formularyItem(1, "Admin Drug Renamed")).statusCode())
			.isEqualTo(200);
		assertThat(redis().exists(hospital1)).as("an update evicts its hospital's list").isZero();
		assertThat(redis().exists(hospital2)).as("and no other hospital's").isEqualTo(1);

		redis().set(hospital1, "cached");
		assertThat(put("/admin/formulary-items/" + item, formularyItem(2, "Admin Drug Moved")).statusCode())
			.isEqualTo(200);
		assertThat(redis().exists(hospital1, hospital2)).as("a move evicts the list it left and the list it joined")
			.isZero();

		redis().set(hospital2, "cached");
		assertThat(delete("/admin/formulary-items/" + item).statusCode()).isEqualTo(204);
		assertThat(redis().exists(hospital2)).as("a delete evicts its hospital's list").isZero();

		String patient = this.keys.patient(45);
		String leftWard = this.keys.key(dev.freshline.model.Namespace.WARD, "ward-f");
		String joinedWard = this.keys.key(dev.freshline.model.Namespace.WARD, "ward-h");
		redis().mset(Map.of(patient, "cached", leftWard, "cached", joinedWard, "cached"));
		assertThat(put("/admin/patients/45",
				"{\"mrn\":\"MRN-000045\",\"name\":\"Patient 45\",\"dateOfBirth\":\"1980-01-01\",\"ward\":\"ward-h\"}")
			.statusCode()).isEqualTo(200);
		assertThat(redis().exists(patient, leftWard, joinedWard)).as("a patient's move evicts it and both wards")
			.isZero();

		redis().mset(Map.of(patient, "cached", joinedWard, "cached"));
		assertThat(delete("/admin/patients/45").statusCode()).isEqualTo(204);
		assertThat(redis().exists(patient, joinedWard)).as("a patient's delete evicts it and its ward").isZero();

		assertThat(redis().exists(bystander)).as("no write touched hospital 6").isEqualTo(1);
		redis().del(bystander);
	}

	@Test
	void shouldAnswerATakenMrnWith409AndNeverEchoIt() throws Exception {
		// MRN-000013 belongs to demo patient 13: creating another, or moving patient 14 onto it, conflicts
		String taken = "{\"mrn\":\"MRN-000013\",\"name\":\"Ada Twin\",\"dateOfBirth\":\"1990-01-02\",\"ward\":\"ward-a\"}";

		for (HttpResponse<String> conflict : List.of(post("/admin/patients", taken), put("/admin/patients/14", taken))) {
			assertThat(conflict.statusCode()).as(conflict.body()).isEqualTo(409);
			assertThat(conflict.headers().firstValue("Content-Type")).hasValue("application/problem+json");
			assertThat(conflict.body()).as("no patient data in the answer").doesNotContain("MRN-000013", "Ada Twin");
		}
		assertThat(get("/patients/14").body()).as("nothing was written").contains("\"mrn\":\"MRN-000014\"");
	}

	@ParameterizedTest
	@ValueSource(strings = { "abcdefghijklmnopqrstuvwxyz0123456", "ward-abcdefghijklmnopqrstuvwxyz-01234567" })
	void shouldRejectAPatientWhoseWardExceedsTheWardIdTypeWith400(String ward) throws Exception {
		String body = "{\"mrn\":\"MRN-LONG-1\",\"name\":\"Ada Long\",\"dateOfBirth\":\"1990-01-02\",\"ward\":\"" + ward
				+ "\"}";

		HttpResponse<String> created = post("/admin/patients", body);
		HttpResponse<String> updated = put("/admin/patients/12", body);

		assertThat(created.statusCode()).as("the rules declare ward as text(32), as the column is").isEqualTo(400);
		assertThat(created.headers().firstValue("Content-Type")).hasValue("application/problem+json");
		assertThat(updated.statusCode()).isEqualTo(400);
		assertThat(updated.headers().firstValue("Content-Type")).hasValue("application/problem+json");
		assertThat(get("/patients/12").body()).as("nothing was written").doesNotContain(ward);
	}

	@Test
	void shouldFlushANamespaceAndInvalidateATagThroughTheAdminApi() throws Exception {
		get("/patients/40");
		get("/hospitals/4/formulary");
		assertThat(redis().exists(this.keys.patient(40), this.keys.formulary(4))).isEqualTo(2);

		HttpResponse<String> tag = post("/admin/cache/tags/hospital:04/invalidations", "");
		assertThat(tag.statusCode()).isEqualTo(200);
		assertThat(tag.body()).contains("\"tag\":\"hospital:4\"", "\"entriesInvalidated\":1");
		assertThat(redis().exists(this.keys.formulary(4))).isZero();

		HttpResponse<String> flush = post("/admin/cache/namespaces/patient/flush", "");
		assertThat(flush.statusCode()).isEqualTo(200);
		assertThat(redis().exists(this.keys.patient(40))).isZero();

		assertThat(post("/admin/cache/namespaces/nope/flush", "").statusCode()).isEqualTo(404);
		assertThat(post("/admin/cache/tags/nope:1/invalidations", "").statusCode()).isEqualTo(404);
		assertThat(post("/admin/cache/tags/hospital:1*/invalidations", "").statusCode()).isEqualTo(400);
	}

	@Test
	void shouldServeAHospitalsFormularyAndRefreshItsSlidingExpiryOnEachHit() throws Exception {
		HttpResponse<String> first = get("/hospitals/3/formulary");
		assertThat(first.statusCode()).isEqualTo(200);
		assertThat(first.body()).startsWith("[").contains("\"hospitalId\":3").doesNotContain("\"hospitalId\":2");
		String key = this.keys.formulary(3);
		assertThat(redis().pttl(key)).isBetween(1L, 3000L);

		await().until(() -> redis().pttl(key) < 2000);
		get("/hospitals/3/formulary");

		assertThat(redis().pttl(key)).as("the hit pushed expiry back to the sliding window").isGreaterThan(2000);
	}

	@Test
	void shouldAnswer404AsAProblemForAnUnknownId() throws Exception {
		HttpResponse<String> response = get("/patients/999999");
		assertThat(response.statusCode()).isEqualTo(404);
		assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
		assertThat(get("/hospitals/424242/formulary").statusCode()).isEqualTo(404);
	}

	@ParameterizedTest
	@ValueSource(strings = { "abc", "-1", "0", "1:2", "%2A", "%7B1%7D", "1%0A", "%091", "1%201", "99999999999999999999",
			"1.5" })
	void shouldRejectMalformedIdsWith400ProblemDetails(String id) throws Exception {
		HttpResponse<String> patient = get("/patients/" + id);
		assertThat(patient.statusCode()).isEqualTo(400);
		assertThat(patient.headers().firstValue("Content-Type")).hasValue("application/problem+json");
		assertThat(patient.body()).contains("\"status\":400");
		assertThat(get("/hospitals/" + id + "/formulary").statusCode()).isEqualTo(400);
	}

	@Test
	void shouldServeFromPostgresWhileRedisIsDown() throws Exception {
		String cached = get("/patients/20").body();
		this.redis.stop();
		try {
			HttpResponse<String> hit = get("/patients/20");
			HttpResponse<String> miss = get("/patients/21");

			assertThat(hit.statusCode()).isEqualTo(200);
			assertThat(hit.body()).isEqualTo(cached);
			assertThat(miss.statusCode()).isEqualTo(200);
			assertThat(miss.body()).contains("\"id\":21");
			assertThat(List.of(hit, miss)).as("served from Postgres without Redis")
				.allSatisfy((response) -> assertThat(response.headers().firstValue("Freshline-Cache")).contains("bypass"));
		}
		finally {
			this.redis.restart();
		}
		await().untilAsserted(() -> {
			get("/patients/22");
			assertThat(redis().exists(this.keys.patient(22))).as("fills resume once Redis is back").isEqualTo(1);
		});
	}

	@Test
	void shouldAnswerCacheRepairs503WithRetryAfterWhileRedisIsDown() throws Exception {
		this.redis.stop();
		try {
			// a repair is Redis alone: it cannot succeed now, and a 500 would not say that it may be retried
			assertUnavailable(post("/admin/cache/tags/hospital:5/invalidations", ""));
			assertUnavailable(post("/admin/cache/namespaces/patient/flush", ""));
		}
		finally {
			this.redis.restart();
		}
		await().untilAsserted(() -> assertThat(post("/admin/cache/tags/hospital:5/invalidations", "").statusCode())
			.as("the retry succeeds once Redis is back").isEqualTo(200));
	}

	/** Negative control of the 503s: an error Redis answered is a defect, not an outage to wait out. */
	@Test
	void shouldAnswer500WithoutRetryAfterWhenRedisAnswersWithAnError() throws Exception {
		String index = this.keys.tagIndex("hospital:6");
		redis().set(index, "not a tag index");
		try {
			HttpResponse<String> tag = post("/admin/cache/tags/hospital:6/invalidations", "");

			assertThat(tag.statusCode()).as("WRONGTYPE from Redis: %s", tag.body()).isEqualTo(500);
			assertThat(tag.headers().firstValue("Retry-After")).isEmpty();
		}
		finally {
			redis().del(index);
		}
	}

	@Test
	void shouldAnswer503WithRetryAfterWhilePostgresRefusesConnectionsAndServeWhatIsCached() throws Exception {
		String cached = get("/patients/50").body();
		redis().del(this.keys.patient(51));
		String database = this.database.name();
		SharedServers.get().postgres().execute("postgres", "ALTER DATABASE " + database + " ALLOW_CONNECTIONS false; "
				+ "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + database + "'");
		try {
			HttpResponse<String> hit = get("/patients/50");
			HttpResponse<String> miss = get("/patients/51");
			HttpResponse<String> write = delete("/admin/patients/999998");

			assertThat(hit.statusCode()).as("a hit needs no Postgres").isEqualTo(200);
			assertThat(hit.body()).isEqualTo(cached);
			assertThat(hit.headers().firstValue("Freshline-Cache")).contains("hit");
			assertUnavailable(miss);
			assertUnavailable(write);
		}
		finally {
			SharedServers.get().postgres().execute("postgres", "ALTER DATABASE " + database + " ALLOW_CONNECTIONS true");
		}
		await().untilAsserted(() -> assertThat(get("/patients/51").statusCode())
			.as("the retry succeeds once Postgres takes connections again").isEqualTo(200));
	}

	private static void assertUnavailable(HttpResponse<String> response) {
		assertThat(response.statusCode()).as("%s %s: %s", response.request().method(), response.uri().getPath(),
				response.body()).isEqualTo(503);
		assertThat(response.headers().firstValue("Retry-After")).hasValue("2");
		assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
		assertThat(response.body()).contains("\"status\":503").doesNotContain("Exception");
	}

	@Test
	void shouldServeFromPostgresWhenRedisHangs() throws Exception {
		double errorsBefore = redisErrors();
		double failOpenBefore = loads("fail-open");
		// CLIENT PAUSE makes Redis accept connections but answer nothing: the slow-Redis case
		redis().clientPause(2000);
		HttpResponse<String> response = get("/patients/30");

		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.body()).contains("\"id\":30");
		assertThat(redisErrors()).as("the read timed out on Redis and fell back").isGreaterThan(errorsBefore);
		assertThat(loads("fail-open")).as("a Postgres read Redis' silence cost, not a miss").isEqualTo(failOpenBefore + 1);
		// our own PING waits out the pause, so the next test finds Redis answering
		assertThat(redis().ping()).isEqualTo("PONG");
	}

	@Test
	void shouldGiveAdminCommandsTheirOwnBudgetBeyondTheReadTimeout() throws Exception {
		get("/hospitals/5/formulary");
		assertThat(redis().exists(this.keys.formulary(5))).isEqualTo(1);
		double errorsBefore = redisErrors();

		// Redis answers nothing for 600 ms: far past a read's 100 ms, well within an admin command's 10 s
		redis().clientPause(600);
		HttpResponse<String> tag = post("/admin/cache/tags/hospital:5/invalidations", "");

		assertThat(tag.statusCode()).as("the tag invalidation waited for Redis: %s", tag.body()).isEqualTo(200);
		assertThat(tag.body()).contains("\"entriesInvalidated\":1");
		assertThat(redis().exists(this.keys.formulary(5))).isZero();
		assertThat(redisErrors()).as("no read was involved").isEqualTo(errorsBefore);
	}

	private double loads(String cause) {
		return this.api.getBean(MeterRegistry.class).counter("freshline.cache.loads", "cause", cause).count();
	}

	private double redisErrors() {
		return this.api.getBean(MeterRegistry.class).counter("freshline.cache.redis.errors").count();
	}

	private RedisCommands<String, String> redis() {
		return this.redisConnection.sync();
	}

	private long nextPatientId() throws Exception {
		try (var connection = this.database.connect(this.database.owner());
				var statement = connection.createStatement();
				var result = statement.executeQuery(
						"SELECT last_value + CASE WHEN is_called THEN 1 ELSE 0 END FROM patient_id_seq")) {
			result.next();
			return result.getLong(1);
		}
	}

	private HttpResponse<String> post(String path, String json) throws IOException, InterruptedException {
		return send("POST", path, json);
	}

	private HttpResponse<String> put(String path, String json) throws IOException, InterruptedException {
		return send("PUT", path, json);
	}

	private HttpResponse<String> delete(String path) throws IOException, InterruptedException {
		return send("DELETE", path, "");
	}

	private static String formularyItem(long hospitalId, String drugName) {
		return "{\"hospitalId\":" + hospitalId + ",\"drugCode\":\"ADMIN-1\",\"drugName\":\"" + drugName
				+ "\",\"strength\":\"5 mg\",\"form\":\"tablet\",\"status\":\"ACTIVE\"}";
	}

	private static long idOf(String json) {
		java.util.regex.Matcher id = java.util.regex.Pattern.compile("\"id\":(\\d+)").matcher(json);
		assertThat(id.find()).as("an id in %s", json).isTrue();
		return Long.parseLong(id.group(1));
	}

	private HttpResponse<String> send(String method, String path, String json) throws IOException, InterruptedException {
		return http.send(HttpRequest.newBuilder(URI.create(TestApi.url(this.api) + path))
			.timeout(Duration.ofSeconds(10))
			.header("Content-Type", "application/json")
			.header("Authorization", ADMIN)
			.method(method, HttpRequest.BodyPublishers.ofString(json))
			.build(), HttpResponse.BodyHandlers.ofString());
	}

	private HttpResponse<String> get(String path) throws IOException, InterruptedException {
		return http.send(HttpRequest.newBuilder(URI.create(TestApi.url(this.api) + path))
			.timeout(Duration.ofSeconds(10))
			.header("Authorization", READER)
			.build(), HttpResponse.BodyHandlers.ofString());
	}
}
