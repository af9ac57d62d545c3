package dev.freshline.api.cache;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.sync.RedisAdvancedClusterCommands;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import org.springframework.context.ConfigurableApplicationContext;

import dev.freshline.api.TestApi;
import dev.freshline.embedded.LocalIssuer;
import dev.freshline.embedded.RedisCluster;
import dev.freshline.embedded.SharedServers;
import dev.freshline.embedded.TestDatabase;
import dev.freshline.model.CacheKeys;
import dev.freshline.model.Namespace;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The API on the shared Redis Cluster, configured as in production by
 * {@code spring.data.redis.cluster.nodes}: reads fill through the fill protocol and hit, an admin
 * write evicts, and the admin flush and tag invalidation reach entries on every primary.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ApiRedisClusterIntegrationTests {

	private static final HttpClient http = HttpClient.newHttpClient();

	private static final String ADMIN = "Bearer " + LocalIssuer.forTests().adminToken();

	private final String prefix = SharedServers.uniqueName("apic");

	private final CacheKeys keys = new CacheKeys(this.prefix);

	private final RedisCluster cluster = SharedServers.get().redisCluster();

	private TestDatabase database;

	private ConfigurableApplicationContext api;

	private RedisClusterClient client;

	private StatefulRedisClusterConnection<String, String> connection;

	@BeforeAll
	void start() {
		this.database = SharedServers.get().newDatabase();
		this.api = TestApi.start(TestApi.environment(this.database, SharedServers.get().redis(), this.prefix)
			.demoData()
			.put("spring.data.redis.cluster.nodes", this.cluster.nodeAddresses()));
		this.client = RedisClusterClient.create(Arrays.stream(this.cluster.nodeAddresses().split(","))
			.map((address) -> RedisURI.create("redis://" + address))
			.toList());
		this.connection = this.client.connect();
	}

	@AfterAll
	void stop() {
		this.connection.close();
		this.client.shutdown();
		this.api.close();
		SharedServers.get().dropDatabase(this.database);
	}

	@Test
	void shouldFillOnAMissAndServeTheSameBytesOnAHit() throws Exception {
		HttpResponse<String> miss = get("/patients/12");
		assertThat(miss.statusCode()).isEqualTo(200);
		assertThat(miss.headers().firstValue("Freshline-Cache")).contains("miss");
		assertThat(redis().get(this.keys.patient(12))).endsWith(miss.body());

		HttpResponse<String> hit = get("/patients/12");
		assertThat(hit.headers().firstValue("Freshline-Cache")).contains("hit");
		assertThat(hit.body()).isEqualTo(miss.body());
	}

	@Test
	void shouldFlushANamespaceAndInvalidateATagOnEveryPrimary() throws Exception {
		List<Integer> ids = IntStream.rangeClosed(100, 160).boxed().toList();
		for (int id : ids) {
			assertThat(get("/patients/" + id).statusCode()).isEqualTo(200);
		}
		List<Integer> hospitals = List.of(1, 2, 3, 4, 5);
		for (int hospital : hospitals) {
			assertThat(get("/hospitals/" + hospital + "/formulary").statusCode()).isEqualTo(200);
		}
		assertThat(ids).allSatisfy((id) -> assertThat(redis().exists(this.keys.patient(id))).isEqualTo(1));
		assertThat(ids.stream().map((id) -> redis().clusterKeyslot(this.keys.patient(id))).distinct().count())
			.as("the entries fall into many slots")
			.isGreaterThan(50);

		HttpResponse<String> flushed = post("/admin/cache/namespaces/patient/flush");
		assertThat(flushed.statusCode()).as(flushed.body()).isEqualTo(200);
		assertThat(ids).allSatisfy((id) -> assertThat(redis().exists(this.keys.patient(id))).isZero());
		assertThat(redis().exists(this.keys.formulary(1))).as("another namespace").isEqualTo(1);

		for (int hospital : hospitals) {
			HttpResponse<String> invalidated = post("/admin/cache/tags/hospital:" + hospital + "/invalidations");
			assertThat(invalidated.statusCode()).as(invalidated.body()).isEqualTo(200);
			assertThat(redis().exists(this.keys.formulary(hospital))).isZero();
		}
		assertThat(redis().keys(this.keys.prefix() + ":" + Namespace.FORMULARY.id() + ":*")).isEmpty();
	}

	private RedisAdvancedClusterCommands<String, String> redis() {
		return this.connection.sync();
	}

	private HttpResponse<String> get(String path) throws Exception {
		return http.send(HttpRequest.newBuilder(URI.create(TestApi.url(this.api) + path)).header("Authorization", ADMIN).build(),
				HttpResponse.BodyHandlers.ofString());
	}

	private HttpResponse<String> post(String path) throws Exception {
		return http.send(HttpRequest.newBuilder(URI.create(TestApi.url(this.api) + path))
			.header("Authorization", ADMIN)
			.POST(HttpRequest.BodyPublishers.noBody())
			.build(), HttpResponse.BodyHandlers.ofString());
	}
}
