package dev.freshline.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.json.JsonMapper;

/**
 * The one HTTP client every API scenario uses, so that each figure and its baseline share a load
 * generator. It authenticates like any client, once {@link #authorize} gave it the stack's tokens:
 * reads with the reader token, admin calls with the admin token, and the anonymous baseline and
 * the actuator (on a management port) with none.
 */
public final class BenchHttp {

	private static final JsonMapper json = JsonMapper.builder().build();

	private final HttpClient client = HttpClient.newBuilder()
		.version(HttpClient.Version.HTTP_1_1)
		.connectTimeout(Duration.ofSeconds(2))
		.build();

	private final Duration timeout;

	// set once the stack is up (the launcher mints the tokens), read by every request thread
	private volatile @Nullable String reader;

	private volatile @Nullable String admin;

	public BenchHttp() {
		this(Duration.ofSeconds(10));
	}

	/** A client whose GETs give up after {@code timeout} ({@link java.net.http.HttpTimeoutException}). */
	public BenchHttp(Duration timeout) {
		this.timeout = timeout;
	}

	/** From now on, requests carry {@code stack}'s tokens (from its local-stack.json). */
	public void authorize(StackProcess stack) {
		this.reader = stack.readerToken();
		this.admin = stack.adminToken();
	}

	public HttpResponse<String> get(String url) throws IOException, InterruptedException {
		return this.client.send(request(url, this.reader).build(), HttpResponse.BodyHandlers.ofString());
	}

	/**
	 * A GET with no token, as an anonymous caller sends it: the baseline of what the token check
	 * costs, and the actuator on a management port, which asks for none.
	 */
	public HttpResponse<String> getWithoutToken(String url) throws IOException, InterruptedException {
		return this.client.send(request(url, null).build(), HttpResponse.BodyHandlers.ofString());
	}

	/** A GET with one request header, e.g. {@code Freshline-After}. */
	public HttpResponse<String> get(String url, String header, String value) throws IOException, InterruptedException {
		return this.client.send(request(url, this.reader).header(header, value).build(), HttpResponse.BodyHandlers.ofString());
	}

	private HttpRequest.Builder request(String url, @Nullable String token) {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(this.timeout);
		return (token == null) ? request : request.header("Authorization", "Bearer " + token);
	}

	/** The API's {@code Freshline-Cache} answer (hit, miss or bypass), or "none" when a response has none. */
	public static String cacheOutcome(HttpResponse<?> response) {
		return response.headers().firstValue("Freshline-Cache").orElse("none");
	}

	String post(String url) throws IOException, InterruptedException {
		return this.client
			.send(request(url, this.admin).POST(HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofMinutes(1)).build(),
					HttpResponse.BodyHandlers.ofString())
			.body();
	}

	/** POSTs {@code json} to a management endpoint (no token there); the answer's status and body. */
	HttpResponse<String> postJsonWithoutToken(String url, String json) throws IOException, InterruptedException {
		return this.client.send(request(url, null).header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString(json))
			.build(), HttpResponse.BodyHandlers.ofString());
	}

	/**
	 * A counter from the actuator at {@code managementUrl}, summed over its tags unless {@code metric}
	 * selects some ({@code name?tag=key:value}); NaN when it is not there.
	 */
	public double counter(String managementUrl, String metric) {
		try {
			HttpResponse<String> response = getWithoutToken(managementUrl + "/actuator/metrics/" + metric);
			if (response.statusCode() != 200) {
				return Double.NaN;
			}
			return json.readTree(response.body()).path("measurements").get(0).path("value").asDouble();
		}
		catch (IOException ex) {
			return Double.NaN;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return Double.NaN;
		}
	}

	/** The {@code version} field of a patient's JSON, without parsing the rest. */
	public static long version(String body) {
		int at = body.indexOf("\"version\":");
		if (at < 0) {
			return -1;
		}
		int from = at + "\"version\":".length();
		int to = from;
		while (to < body.length() && Character.isDigit(body.charAt(to))) {
			to++;
		}
		return Long.parseLong(body.substring(from, to));
	}
}
