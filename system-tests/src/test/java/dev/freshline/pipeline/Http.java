package dev.freshline.pipeline;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import dev.freshline.embedded.LocalIssuer;

/**
 * A plain HTTP client for the tests: what a curl user with the walkthrough's tokens would see.
 * Reads carry a reader token, writes and admin calls an admin token, both from
 * {@link LocalIssuer#forTests()}, which every API of a {@link PipelineStack} trusts.
 */
public final class Http {

	private static final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

	/** {@code Authorization} with a token that reads patients and formularies. */
	public static final String READER = "Bearer " + LocalIssuer.forTests().readerToken();

	/** {@code Authorization} with a token that may also write and flush. */
	public static final String ADMIN = "Bearer " + LocalIssuer.forTests().adminToken();

	private Http() {
	}

	public static HttpResponse<String> put(String url, String json) throws IOException, InterruptedException {
		return client.send(HttpRequest.newBuilder(URI.create(url))
			.timeout(Duration.ofSeconds(10))
			.header("Content-Type", "application/json")
			.header("Authorization", ADMIN)
			.PUT(HttpRequest.BodyPublishers.ofString(json))
			.build(), HttpResponse.BodyHandlers.ofString());
	}

	public static HttpResponse<String> post(String url) throws IOException, InterruptedException {
		return client.send(HttpRequest.newBuilder(URI.create(url))
			.timeout(Duration.ofSeconds(10))
			.header("Authorization", ADMIN)
			.POST(HttpRequest.BodyPublishers.noBody())
			.build(), HttpResponse.BodyHandlers.ofString());
	}

	public static HttpResponse<String> get(String url) throws IOException, InterruptedException {
		return get(url, Duration.ofSeconds(10));
	}

	/** For a reader a test holds at a named point for longer than a request usually takes. */
	public static HttpResponse<String> get(String url, Duration timeout) throws IOException, InterruptedException {
		return client.send(HttpRequest.newBuilder(URI.create(url)).timeout(timeout).header("Authorization", READER).build(),
				HttpResponse.BodyHandlers.ofString());
	}
}
