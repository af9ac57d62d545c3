package dev.freshline.api.freshness;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.context.ConfigurableApplicationContext;

import dev.freshline.api.TestApi;
import dev.freshline.embedded.LocalIssuer;
import dev.freshline.embedded.ServiceEnvironment;
import dev.freshline.embedded.SharedServers;
import dev.freshline.embedded.TestDatabase;
import dev.freshline.model.CacheKeys;
import dev.freshline.model.Watermark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The freshness fence on a real API, Postgres and Redis. The applied watermarks are written into
 * Redis here, as the invalidator records them (one hash field per partition), so each test sets
 * exactly the state it needs: none, fresh, one stuck partition, behind a requested position.
 * "Fresh" is a commit time ahead of Postgres' clock, which the fence reads as age 0: the test
 * then does not race the clock. Pipelines with the real connector and invalidator are the
 * system tests' (WatermarkFenceIntegrationTests).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FenceIntegrationTests {

	private static final HttpClient http = HttpClient.newHttpClient();

	private static final String READER = "Bearer " + LocalIssuer.forTests().readerToken();

	private static final String ADMIN = "Bearer " + LocalIssuer.forTests().adminToken();

	/** Long enough that a test can record a watermark while a read waits for it. */
	private static final Duration AFTER_WAIT = Duration.ofSeconds(3);

	private static final long LSN = Watermark.parseLsn("5/1000");

	private final String prefix = SharedServers.uniqueName("fence");

	private final CacheKeys keys = new CacheKeys(this.prefix);

	private TestDatabase database;

	private ConfigurableApplicationContext api;

	private RedisClient redisClient;

	private StatefulRedisConnection<String, String> redisConnection;

	@BeforeAll
	void start() {
		this.database = SharedServers.get().newDatabase();
		this.api = startApi(true);
		this.redisClient = RedisClient.create(SharedServers.get().redis().uri());
		this.redisConnection = this.redisClient.connect();
	}

	private ConfigurableApplicationContext startApi(boolean fence) {
		return TestApi.start(TestApi.environment(this.database, SharedServers.get().redis(), this.prefix)
			.demoData()
			.put(ServiceEnvironment.FRESHLINE_FENCE, fence)
			.put("FRESHLINE_FENCE_WAIT", AFTER_WAIT.toMillis() + "ms"));
	}

	@AfterAll
	void stop() {
		this.redisConnection.close();
		this.redisClient.shutdown();
		this.api.close();
		SharedServers.get().dropDatabase(this.database);
	}

	@BeforeEach
	void noWatermarks() {
		redis().del(this.keys.watermarks("patient"), this.keys.watermarks("formulary_item"));
	}

	@Test
	void shouldBypassTheCacheUntilEveryTableFeedingANamespaceHasAnAppliedWatermark() throws Exception {
		double before = bypassed("no-watermark");
		HttpResponse<String> read = get(this.api, "/patients/40");

		assertThat(read.statusCode()).isEqualTo(200);
		assertThat(read.body()).contains("\"id\":40");
		assertThat(read.headers().firstValue("Freshline-Cache")).contains("bypass");
		assertThat(redis().exists(this.keys.patient(40))).as("a bypass fills nothing").isZero();
		assertThat(bypassed("no-watermark")).isEqualTo(before + 1);

		fresh("patient", LSN);
		await("the fence lets the cache serve once the watermarks arrive")
			.untilAsserted(() -> assertThat(get(this.api, "/patients/40").headers().firstValue("Freshline-Cache")).contains("miss"));
		assertThat(get(this.api, "/patients/40").headers().firstValue("Freshline-Cache")).contains("hit");
		assertThat(get(this.api, "/hospitals/5/formulary").headers().firstValue("Freshline-Cache"))
			.as("formulary_item, which feeds the formulary namespace, still has none").contains("bypass");
	}

	@Test
	void shouldBypassEveryNamespaceAStuckPartitionFeedsWhileTheOthersAdvance() throws Exception {
		fresh("patient", LSN);
		fresh("formulary_item", LSN);
		await().untilAsserted(() -> assertThat(get(this.api, "/patients/41").headers().firstValue("Freshline-Cache")).contains("miss"));
		double before = bypassed("stale-pipeline");

		// partition 1 of patient stopped 10 s ago (max-staleness 2 s); 0 and 2 are fresh
		redis().hset(this.keys.watermarks("patient"), "1", new Watermark(LSN - 0x10, postgresNow() - 10_000).encode());

		await("the stuck partition's age reaches the fence").untilAsserted(
				() -> assertThat(get(this.api, "/patients/41").headers().firstValue("Freshline-Cache")).contains("bypass"));
		assertThat(get(this.api, "/wards/icu/patients").headers().firstValue("Freshline-Cache")).as("ward is fed by patient too")
			.contains("bypass");
		assertThat(get(this.api, "/hospitals/5/formulary").headers().firstValue("Freshline-Cache"))
			.as("formulary is fed by formulary_item alone").isNotEqualTo(java.util.Optional.of("bypass"));
		assertThat(bypassed("stale-pipeline")).isGreaterThanOrEqualTo(before + 2);
		assertThat(this.api.getBean(MeterRegistry.class).get("freshline.pipeline.staleness").tag("namespace", "patient").gauge().value())
			.as("the staleness gauge, in seconds").isGreaterThanOrEqualTo(10);
	}

	@Test
	void shouldServeFromTheCacheWhateverTheWatermarksWithTheFenceOff() throws Exception {
		// the negative control of the test above: the same stuck partition, an API without the fence
		fresh("patient", LSN);
		redis().hset(this.keys.watermarks("patient"), "1", new Watermark(LSN - 0x10, postgresNow() - 10_000).encode());
		try (ConfigurableApplicationContext unfenced = startApi(false)) {
			get(unfenced, "/patients/42");
			assertThat(get(unfenced, "/patients/42").headers().firstValue("Freshline-Cache")).contains("hit");
		}
	}

	@Test
	void shouldReadThroughTheCacheAtOnceWhenTheWatermarkCoversFreshlineAfter() throws Exception {
		fresh("patient", LSN);
		await().untilAsserted(() -> assertThat(get(this.api, "/patients/43").headers().firstValue("Freshline-Cache")).contains("miss"));
		double waits = afterWaits();

		HttpResponse<String> read = get(this.api, "/patients/43", Watermark.formatLsn(LSN));

		assertThat(read.headers().firstValue("Freshline-Cache")).contains("hit");
		assertThat(afterWaits()).as("covered: no wait").isEqualTo(waits);
	}

	@Test
	void shouldBypassAfterWaitingOutAfterWaitWhenTheWatermarkNeverCoversFreshlineAfter() throws Exception {
		fresh("patient", LSN);
		await().untilAsserted(() -> assertThat(get(this.api, "/patients/44").headers().firstValue("Freshline-Cache")).contains("miss"));
		double before = bypassed("after-not-applied");

		long started = System.nanoTime();
		HttpResponse<String> read = get(this.api, "/patients/44", Watermark.formatLsn(LSN + 1));
		Duration took = Duration.ofNanos(System.nanoTime() - started);

		assertThat(read.statusCode()).isEqualTo(200);
		assertThat(read.headers().firstValue("Freshline-Cache")).contains("bypass");
		assertThat(bypassed("after-not-applied")).isEqualTo(before + 1);
		assertThat(took).as("it waited for the watermark first").isGreaterThanOrEqualTo(AFTER_WAIT);
	}

	@Test
	void shouldServeAFreshlineAfterReadThroughTheCacheOnceTheWatermarkItWaitsForArrives() throws Exception {
		fresh("patient", LSN);
		await().untilAsserted(() -> assertThat(get(this.api, "/patients/45").headers().firstValue("Freshline-Cache")).contains("miss"));
		double waits = afterWaits();
		long later = LSN + 0x100;

		CompletableFuture<HttpResponse<String>> read = CompletableFuture.supplyAsync(() -> {
			try {
				return get(this.api, "/patients/45", Watermark.formatLsn(later));
			}
			catch (IOException | InterruptedException ex) {
				throw new IllegalStateException(ex);
			}
		});
		await("the read waits for the watermark").until(() -> afterWaits() > waits);
		fresh("patient", later);

		HttpResponse<String> response = read.get();
		assertThat(response.headers().firstValue("Freshline-Cache")).as("the watermark arrived within after-wait").contains("hit");
	}

	@ParameterizedTest
	@ValueSource(strings = { "banana", "5/", "/5", "123456789/0", "5/1000; DROP TABLE patient", "5-1000" })
	void shouldRejectAMalformedFreshlineAfterWith400(String value) throws Exception {
		HttpResponse<String> read = get(this.api, "/patients/46", value);

		assertThat(read.statusCode()).isEqualTo(400);
		assertThat(read.headers().firstValue("Content-Type")).hasValueSatisfying((type) -> assertThat(type).startsWith("application/problem+json"));
		assertThat(read.body()).contains("Invalid Freshline-After").doesNotContain("DROP TABLE");
	}

	@Test
	void shouldAnswerAnAdminWriteWithItsCommitPosition() throws Exception {
		long before = walInsertPosition();
		HttpResponse<String> write = send(this.api, "PUT", "/admin/patients/47",
				"{\"mrn\":\"MRN-000047\",\"name\":\"Fence Writer\",\"dateOfBirth\":\"1970-01-01\",\"ward\":\"icu\"}");
		long after = walInsertPosition();

		assertThat(write.statusCode()).isEqualTo(200);
		long position = Watermark.parseLsn(write.headers().firstValue("Freshline-After").orElseThrow());
		assertThat(position).as("past every WAL record written before the write").isGreaterThan(before).isLessThanOrEqualTo(after);
	}

	@Test
	void shouldReportThePipelineDegradedButStayServingWhileTheFenceBypasses() throws Exception {
		HttpResponse<String> degraded = health(this.api);
		assertThat(degraded.statusCode()).as("still serving, from Postgres").isEqualTo(200);
		assertThat(degraded.body()).contains("\"pipeline\":{", "bypass: no applied watermark").endsWith("\"status\":\"DEGRADED\"}");

		fresh("patient", LSN);
		fresh("formulary_item", LSN);
		await().untilAsserted(() -> assertThat(health(this.api).body()).endsWith("\"status\":\"UP\"}"));
	}

	/** Every partition (0 to 2) of {@code table} applied up to {@code lsn}, committed in the future: age 0. */
	private void fresh(String table, long lsn) throws Exception {
		String watermark = new Watermark(lsn, postgresNow() + Duration.ofMinutes(10).toMillis()).encode();
		redis().hset(this.keys.watermarks(table), Map.of("0", watermark, "1", watermark, "2", watermark));
	}

	private long postgresNow() throws Exception {
		return queryLong("SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint");
	}

	private long walInsertPosition() throws Exception {
		try (Connection connection = this.database.connect(this.database.owner());
				Statement statement = connection.createStatement();
				ResultSet result = statement.executeQuery("SELECT pg_current_wal_insert_lsn()::text")) {
			result.next();
			return Watermark.parseLsn(result.getString(1));
		}
	}

	private long queryLong(String sql) throws Exception {
		try (Connection connection = this.database.connect(this.database.owner());
				Statement statement = connection.createStatement();
				ResultSet result = statement.executeQuery(sql)) {
			result.next();
			return result.getLong(1);
		}
	}

	private double bypassed(String reason) {
		return this.api.getBean(MeterRegistry.class).counter("freshline.cache.bypassed", "reason", reason).count();
	}

	private double afterWaits() {
		return this.api.getBean(MeterRegistry.class).counter("freshline.cache.after.waits").count();
	}

	private RedisCommands<String, String> redis() {
		return this.redisConnection.sync();
	}

	private static HttpResponse<String> get(ConfigurableApplicationContext api, String path) throws IOException, InterruptedException {
		return get(api, path, null);
	}

	private static HttpResponse<String> get(ConfigurableApplicationContext api, String path, String after)
			throws IOException, InterruptedException {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base(api) + path))
			.timeout(Duration.ofSeconds(10))
			.header("Authorization", READER);
		if (after != null) {
			request.header("Freshline-After", after);
		}
		return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
	}

	private static HttpResponse<String> send(ConfigurableApplicationContext api, String method, String path, String json)
			throws IOException, InterruptedException {
		return http.send(HttpRequest.newBuilder(URI.create(base(api) + path))
			.timeout(Duration.ofSeconds(10))
			.header("Content-Type", "application/json")
			.header("Authorization", ADMIN)
			.method(method, HttpRequest.BodyPublishers.ofString(json))
			.build(), HttpResponse.BodyHandlers.ofString());
	}

	/** Health with its details, on the management port (which asks for no token). */
	private static HttpResponse<String> health(ConfigurableApplicationContext api) throws IOException, InterruptedException {
		return http.send(HttpRequest.newBuilder(URI.create(TestApi.managementUrl(api) + "/actuator/health"))
			.timeout(Duration.ofSeconds(10))
			.build(), HttpResponse.BodyHandlers.ofString());
	}

	private static String base(ConfigurableApplicationContext api) {
		return TestApi.url(api);
	}
}
