package dev.freshline.races;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import dev.freshline.pipeline.Http;
import dev.freshline.pipeline.PipelineStack;
import dev.freshline.races.RaceHooks.Gate;
import dev.freshline.races.RaceHooks.Point;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static dev.freshline.pipeline.Waits.await;

/**
 * The races that plain cache-aside loses, replayed deterministically against real Postgres,
 * Kafka and Redis: readers and the invalidator are stopped at named points (latches, no
 * sleeps), and every writer is raw SQL whose invalidation travels the whole change stream. Each
 * interleaving runs twice, on a stack with Freshline's fill protocol and on an identical stack
 * with the textbook get/miss/load/set, so each test also shows that it can see the staleness
 * it guards against.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FillRaceIntegrationTests {

	private static final Duration LEASE = Duration.ofSeconds(10);

	private static final Pattern VERSION = Pattern.compile("\"version\":(\\d+)");

	private final RaceHooks leasedHooks = new RaceHooks();

	private final RaceHooks naiveHooks = new RaceHooks();

	private PipelineStack leased;

	private PipelineStack naive;

	@BeforeAll
	void startStacks() throws Exception {
		// A lease long enough for 200 readers to line up on a loaded two-core machine (C8: a lease
		// that expires while they arrive lets a second reader load, a wait that ends lets waiters
		// read Postgres), and a wait that outlasts it. C4 waits for one to expire. Redis gets 2 s
		// per command: 200 simultaneous requests on two shared cores push commands past the 100 ms
		// default, and a read that times out falls back to Postgres (fail-open), which would
		// measure the machine, not the protocol.
		Map<String, Object> timing = Map.of("freshline.api.cache.lease", LEASE.toMillis() + "ms",
				"freshline.api.cache.lease-wait", LEASE.plusSeconds(5).toMillis() + "ms", "REDIS_TIMEOUT", "2s");
		this.leased = PipelineStack.start(with(timing, "LEASED"), this.leasedHooks);
		this.naive = PipelineStack.start(with(timing, "NAIVE"), this.naiveHooks);
	}

	@AfterAll
	void stopStacks() throws Exception {
		for (PipelineStack stack : new PipelineStack[] { this.leased, this.naive }) {
			if (stack != null) {
				stack.close();
			}
		}
	}

	@Test
	void c1ShouldRefuseAFillOfARowThatChangedWhileItWasLoading() throws Exception {
		assertThat(staleFillAfterInvalidation(this.leased, this.leasedHooks, 501)).as("Freshline").satisfies(this::fresh);
		assertThat(staleFillAfterInvalidation(this.naive, this.naiveHooks, 501)).as("naive cache-aside").isEqualTo(1L);
	}

	@Test
	void c3ShouldRefuseAFillThatArrivesAfterTheClientGaveUp() throws Exception {
		assertThat(lateFillAfterClientTimeout(this.leased, this.leasedHooks, 502)).as("Freshline").satisfies(this::fresh);
		assertThat(lateFillAfterClientTimeout(this.naive, this.naiveHooks, 502)).as("naive cache-aside").isEqualTo(1L);
	}

	@Test
	void c4ShouldRefuseAFillWhoseLeaseExpiredWhileAnotherReaderFilled() throws Exception {
		assertThat(fillAfterLeaseExpired(this.leased, this.leasedHooks, 503)).as("Freshline").isEqualTo(2L);
		assertThat(fillAfterLeaseExpired(this.naive, this.naiveHooks, 503)).as("naive cache-aside").isEqualTo(1L);
	}

	@Test
	void shouldServeTheNewRowWhenTheInvalidationLandsBetweenLeaseAndDatabaseRead() throws Exception {
		double rejectedBefore = this.leased.apiCounter("freshline.fills.rejected");

		assertThat(invalidationBetweenLeaseAndRead(this.leased, this.leasedHooks, 504)).as("Freshline").satisfies(this::fresh);
		// the lease was revoked, so even this (fresh) fill is refused: the next reader fills
		assertThat(this.leased.apiCounter("freshline.fills.rejected")).isEqualTo(rejectedBefore + 1);
		// this interleaving is harmless even without the protocol: the reader reads after the commit
		assertThat(invalidationBetweenLeaseAndRead(this.naive, this.naiveHooks, 504)).as("naive cache-aside").satisfies(this::fresh);
	}

	@Test
	void c8ShouldLoadAHotKeyOnceWhen200ReadersMissTogether() throws Exception {
		assertThat(stampede(this.leased, this.leasedHooks, 505)).as("Postgres reads with Freshline").isBetween(1, 2);
		assertThat(stampede(this.naive, this.naiveHooks, 505)).as("Postgres reads with naive cache-aside").isEqualTo(200);
	}

	/** A reader loads version 1; version 2 commits and is invalidated; then the reader fills. */
	private @Nullable Long staleFillAfterInvalidation(PipelineStack stack, RaceHooks hooks, long id) throws Exception {
		String key = stack.keys().patient(id);
		Gate loaded = hooks.arm(Point.AFTER_DATABASE_READ, key);
		CompletableFuture<HttpResponse<String>> reader = get(stack, 1, id);
		loaded.awaitArrival();

		commitNewVersionAndAwaitInvalidation(stack, hooks, id);
		loaded.open();

		assertThat(reader.get().body()).contains("\"version\":1");
		return cachedVersion(stack, key);
	}

	/** As C1, but the reader's client times out first; its fill reaches Redis afterwards. */
	private @Nullable Long lateFillAfterClientTimeout(PipelineStack stack, RaceHooks hooks, long id) throws Exception {
		String key = stack.keys().patient(id);
		Gate filling = hooks.arm(Point.BEFORE_FILL, key);
		HttpClient impatient = HttpClient.newHttpClient();
		CompletableFuture<HttpResponse<String>> reader = impatient.sendAsync(HttpRequest
			.newBuilder(URI.create(stack.apiUrl(1) + "/patients/" + id))
			.timeout(Duration.ofMillis(300))
			.header("Authorization", Http.READER)
			.build(), HttpResponse.BodyHandlers.ofString());
		filling.awaitArrival();
		assertThatThrownBy(reader::get).hasCauseInstanceOf(HttpTimeoutException.class);

		commitNewVersionAndAwaitInvalidation(stack, hooks, id);
		double fillsBefore = fillAttempts(stack);
		filling.open();

		await().until(() -> fillAttempts(stack) > fillsBefore);
		return cachedVersion(stack, key);
	}

	/** Reader A's lease expires while it is loading; reader B loads version 2 and fills; A fills last. */
	private @Nullable Long fillAfterLeaseExpired(PipelineStack stack, RaceHooks hooks, long id) throws Exception {
		String key = stack.keys().patient(id);
		Gate loaded = hooks.arm(Point.AFTER_DATABASE_READ, key);
		CompletableFuture<HttpResponse<String>> readerA = get(stack, 1, id);
		loaded.awaitArrival();
		await().atMost(LEASE.plusSeconds(20)).until(() -> stack.redis().exists(stack.keys().lease(key)) == 0);

		commitNewVersionAndAwaitInvalidation(stack, hooks, id);
		assertThat(Http.get(stack.apiUrl(2) + "/patients/" + id).body()).contains("\"version\":2");
		assertThat(cachedVersion(stack, key)).isEqualTo(2L);
		loaded.open();

		readerA.get();
		return cachedVersion(stack, key);
	}

	/** The row changes after the reader took its lease but before it read Postgres. */
	private @Nullable Long invalidationBetweenLeaseAndRead(PipelineStack stack, RaceHooks hooks, long id)
			throws Exception {
		String key = stack.keys().patient(id);
		Gate leased = hooks.arm(Point.AFTER_LEASE, key);
		CompletableFuture<HttpResponse<String>> reader = get(stack, 1, id);
		leased.awaitArrival();

		commitNewVersionAndAwaitInvalidation(stack, hooks, id);
		leased.open();

		assertThat(reader.get().body()).contains("\"version\":2");
		return cachedVersion(stack, key);
	}

	/**
	 * A hot key is invalidated, then 200 readers (100 per instance) arrive together. Fills are
	 * held until all 200 have either missed or started waiting for the lease holder's fill, so
	 * every reader has made its choice before anything is filled. Returns the Postgres reads.
	 */
	private int stampede(PipelineStack stack, RaceHooks hooks, long id) throws Exception {
		String key = stack.keys().patient(id);
		assertThat(Http.get(stack.apiUrl(1) + "/patients/" + id).statusCode()).isEqualTo(200);
		commitNewVersionAndAwaitInvalidation(stack, hooks, id);
		int readsBefore = hooks.count(Point.AFTER_DATABASE_READ, key);
		int arrivalsBefore = hooks.count(Point.AFTER_LEASE, key) + hooks.count(Point.BEFORE_LEASE_WAIT, key);
		// No fill may land before all 200 readers have chosen: missed (and will load), or found the
		// lease taken (and wait). With the protocol only the lease holder ever reaches the fill.
		hooks.holdEveryoneUntil(Point.BEFORE_FILL, key,
				() -> hooks.count(Point.AFTER_LEASE, key) + hooks.count(Point.BEFORE_LEASE_WAIT, key) - arrivalsBefore >= 200);

		ExecutorService readers = Executors.newFixedThreadPool(200);
		try {
			CountDownLatch start = new CountDownLatch(1);
			List<Future<HttpResponse<String>>> responses = new ArrayList<>();
			for (int i = 0; i < 200; i++) {
				int instance = 1 + i % 2;
				responses.add(readers.submit(() -> {
					start.await();
					return Http.get(stack.apiUrl(instance) + "/patients/" + id);
				}));
			}
			start.countDown();
			// at least: a reader counted twice (a waiter that took an expired lease) is for the
			// Postgres reads below to judge, not a reason to wait here forever
			await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(hooks.count(Point.AFTER_LEASE, key)
					+ hooks.count(Point.BEFORE_LEASE_WAIT, key) - arrivalsBefore).as("readers that missed or wait; DB reads %d",
							hooks.count(Point.AFTER_DATABASE_READ, key) - readsBefore).isGreaterThanOrEqualTo(200));
			for (Future<HttpResponse<String>> response : responses) {
				assertThat(response.get().body()).contains("\"version\":2");
			}
		}
		finally {
			hooks.disarm(Point.BEFORE_FILL, key);
			readers.shutdownNow();
		}
		return hooks.count(Point.AFTER_DATABASE_READ, key) - readsBefore;
	}

	private static void commitNewVersionAndAwaitInvalidation(PipelineStack stack, RaceHooks hooks, long id)
			throws Exception {
		String key = stack.keys().patient(id);
		int invalidations = hooks.count(Point.AFTER_DELETE, key);
		stack.sql("UPDATE patient SET ward = 'ward-race' WHERE id = " + id);
		// through Debezium, Kafka and the invalidator: value and lease deleted, floor raised
		await().until(() -> hooks.count(Point.AFTER_DELETE, key) > invalidations);
	}

	/** A reader on its own thread; it may be held at a point past its lease (C4), so it waits longer. */
	private static CompletableFuture<HttpResponse<String>> get(PipelineStack stack, int instance, long id) {
		return CompletableFuture.supplyAsync(() -> {
			try {
				return Http.get(stack.apiUrl(instance) + "/patients/" + id, LEASE.plusSeconds(60));
			}
			catch (Exception ex) {
				throw new IllegalStateException(ex);
			}
		});
	}

	private static double fillAttempts(PipelineStack stack) {
		return stack.apiCounter("freshline.cache.fills") + stack.apiCounter("freshline.fills.rejected");
	}

	/** The version of the cached patient, or null when nothing is cached. */
	private static @Nullable Long cachedVersion(PipelineStack stack, String key) {
		String stored = stack.redis().get(key);
		if (stored == null) {
			return null;
		}
		Matcher version = VERSION.matcher(stored);
		assertThat(version.find()).as("cached value %s", stored).isTrue();
		return Long.parseLong(version.group(1));
	}

	private void fresh(@Nullable Long cachedVersion) {
		// nothing cached (the next read loads from Postgres) or the current row: never version 1
		if (cachedVersion != null) {
			assertThat(cachedVersion).isEqualTo(2L);
		}
	}

	private static Map<String, Object> with(Map<String, Object> timing, String protocol) {
		Map<String, Object> properties = new java.util.HashMap<>(timing);
		properties.put("freshline.api.cache.protocol", protocol);
		return properties;
	}
}
