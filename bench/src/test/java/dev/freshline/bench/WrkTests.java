package dev.freshline.bench;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.within;
import static org.assertj.core.api.Assumptions.assumeThat;

/** The output parser on wrk output captured from real runs (test resources wrk/), and the script against a local server. */
class WrkTests {

	@Test
	void shouldParseARunAgainstTheApi() throws IOException {
		// wrk -t1 -c16 -d3s --latency with the bench's script, GET /patients/{id} cached, on api-1 of a local stack
		Wrk.Run run = Wrk.parse(capture("api-hit.txt"));

		assertThat(run.requests()).isEqualTo(5331);
		assertThat(run.requestsPerS()).isEqualTo(1766.90);
		assertThat(run.seconds()).isCloseTo(3.017, within(0.001));
		assertThat(run.p50Ms()).isEqualTo(8.25);
		assertThat(run.p75Ms()).isEqualTo(11.49);
		assertThat(run.p90Ms()).isEqualTo(15.86);
		assertThat(run.p99Ms()).isEqualTo(34.13);
		assertThat(run.p999Ms()).isEqualTo(61.601);
		assertThat(run.maxMs()).isEqualTo(67.71);
		assertThat(run.errors()).isZero();
		assertThat(run.readsPerS()).isEqualTo(1766.90);
		assertThat(run.reach()).isEqualTo(5347);
		// utime 6 + stime 8 clock ticks in its /proc/self/stat
		assertThat(run.cpuSeconds()).isCloseTo(0.14, within(1e-9));
		assertThat(run.cores()).isCloseTo(0.14 / 3.017, within(0.001));
	}

	@Test
	void shouldCountNon2xxAnswersAndTimeoutsAsErrorsNotReads() throws IOException {
		// a test server answering 404 to every seventh request and too late (--timeout 1s) to every fiftieth
		Wrk.Run run = Wrk.parse(capture("non2xx-timeouts.txt"));

		assertThat(run.requests()).isEqualTo(349);
		assertThat(run.non2xx()).isEqualTo(50);
		assertThat(run.timeouts()).isEqualTo(3);
		assertThat(run.errors()).isEqualTo(53);
		assertThat(run.readsPerS()).isCloseTo(116.07 * 299 / 349, within(1e-9));
		assertThat(run.p99Ms()).isEqualTo(258.79);

		ReadResult result = run.result("miss", "api-1", 16);
		assertThat(result.errors()).isEqualTo(53);
		assertThat(result.readsPerS()).isEqualTo(run.readsPerS());
		assertThat(result.latencyMs().p999()).isEqualTo(259.494);
	}

	@Test
	void shouldCountSocketErrorsWhenNoRequestWasAnswered() throws IOException {
		// a test server that answered garbage and closed every connection
		Wrk.Run run = Wrk.parse(capture("read-errors.txt"));

		assertThat(run.requests()).isZero();
		assertThat(run.readErrors()).isEqualTo(2006);
		assertThat(run.errors()).isEqualTo(2006);
		assertThat(run.readsPerS()).isZero();
		assertThat(run.p50Ms()).isZero();
	}

	@Test
	void shouldRejectOutputWithoutTheScriptsSummary() throws IOException {
		String withoutDone = capture("api-hit.txt").lines().filter((line) -> !line.startsWith("freshline-wrk")).reduce("",
				(text, line) -> text + line + "\n");

		assertThatIllegalArgumentException().isThrownBy(() -> Wrk.parse(withoutDone)).withMessageContaining("done()");
	}

	@Test
	void shouldReadWrksTimeUnits() {
		assertThat(Wrk.millis("812.00us")).isCloseTo(0.812, within(1e-9));
		assertThat(Wrk.millis("8.25ms")).isEqualTo(8.25);
		assertThat(Wrk.millis("2.00s")).isEqualTo(2000);
		assertThat(Wrk.millis("1.50m")).isEqualTo(90_000);
	}

	@Test
	void shouldSayHowToInstallWrkWhenItIsMissing() {
		Wrk missing = new Wrk("wrk-not-installed-here", 1, 2, null);

		assertThatIllegalStateException().isThrownBy(missing::require).withMessageStartingWith("wrk not found: apt-get install wrk");
		assertThatIllegalStateException()
			.isThrownBy(() -> missing.run("http://127.0.0.1:1", Wrk.Target.fixed("/"), Duration.ofSeconds(1)))
			.withMessageStartingWith("wrk not found: apt-get install wrk");
	}

	@Test
	void shouldReadEveryIdOfAWalkOnceWithTheToken() throws Exception {
		assumeThat(wrkInstalled()).as("wrk is installed (apt-get install wrk)").isTrue();
		try (RecordingServer server = new RecordingServer()) {
			// two threads: their walks interleave and still never read an id twice
			Wrk.Run run = new Wrk(2, 4, "secret-token").run(server.base(), Wrk.Target.once("/patients/", 100, 1_000_000),
					Duration.ofSeconds(1));

			assertThat(run.requests()).isPositive();
			assertThat(run.errors()).isZero();
			assertThat(server.reads.values()).allSatisfy((count) -> assertThat(count.get()).isEqualTo(1));
			assertThat(server.reads.keySet()).allSatisfy((path) -> assertThat(Long.parseLong(path.substring("/patients/".length())))
				.isBetween(100L, 100L + run.reach() - 1));
			assertThat((long) server.reads.size()).isBetween(run.requests(), run.reach());
			assertThat(server.authorizations).containsOnly("Bearer secret-token");
			assertThat(run.cpuSeconds()).isNotNegative();
		}
	}

	@Test
	void shouldCycleThroughIdsWithoutATokenWhenAnonymous() throws Exception {
		assumeThat(wrkInstalled()).as("wrk is installed (apt-get install wrk)").isTrue();
		try (RecordingServer server = new RecordingServer()) {
			Wrk.Run run = new Wrk(1, 4, "secret-token").anonymous().run(server.base(), Wrk.Target.cycling("/db/", 1, 3),
					Duration.ofSeconds(1));

			assertThat(run.requests()).isGreaterThan(3);
			assertThat(server.reads.keySet()).containsExactlyInAnyOrder("/db/1", "/db/2", "/db/3");
			assertThat(server.authorizations).containsOnly("none");
		}
	}

	/** Answers 200 to every GET, counting reads per path and recording each Authorization header. */
	private static final class RecordingServer implements AutoCloseable {

		final Map<String, AtomicInteger> reads = new ConcurrentHashMap<>();

		final List<String> authorizations = new CopyOnWriteArrayList<>();

		private final HttpServer server;

		RecordingServer() throws IOException {
			this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
			this.server.createContext("/", (exchange) -> {
				this.reads.computeIfAbsent(exchange.getRequestURI().getPath(), (path) -> new AtomicInteger()).incrementAndGet();
				String authorization = exchange.getRequestHeaders().getFirst("Authorization");
				this.authorizations.add((authorization != null) ? authorization : "none");
				byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
				exchange.sendResponseHeaders(200, body.length);
				exchange.getResponseBody().write(body);
				exchange.close();
			});
			this.server.start();
		}

		String base() {
			return "http://127.0.0.1:" + this.server.getAddress().getPort();
		}

		@Override
		public void close() {
			this.server.stop(0);
		}
	}

	private static boolean wrkInstalled() {
		try {
			new Wrk(1, 1, null).require();
			return true;
		}
		catch (IllegalStateException ex) {
			return false;
		}
	}

	private static String capture(String name) throws IOException {
		try (InputStream in = WrkTests.class.getResourceAsStream("/wrk/" + name)) {
			assertThat(in).as(name).isNotNull();
			return new String(in.readAllBytes(), StandardCharsets.UTF_8);
		}
	}
}
