package dev.freshline.pipeline;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A plain HTTP client for the tests: what a curl user would see. */
public final class Http {

	private static final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

	private Http() {
	}

	public static HttpResponse<String> put(String url, String json) throws IOException, InterruptedException {
		return client.send(HttpRequest.newBuilder(URI.create(url))
			.timeout(Duration.ofSeconds(10))
			.header("Content-Type", "application/json")
			.PUT(HttpRequest.BodyPublishers.ofString(json))
			.build(), HttpResponse.BodyHandlers.ofString());
	}

	public static HttpResponse<String> post(String url) throws IOException, InterruptedException {
		return client.send(HttpRequest.newBuilder(URI.create(url))
			.timeout(Duration.ofSeconds(10))
			.POST(HttpRequest.BodyPublishers.noBody())
			.build(), HttpResponse.BodyHandlers.ofString());
	}

	public static HttpResponse<String> get(String url) throws IOException, InterruptedException {
		return get(url, Duration.ofSeconds(10));
	}

	/** For a reader a test holds at a named point for longer than a request usually takes. */
	public static HttpResponse<String> get(String url, Duration timeout) throws IOException, InterruptedException {
		return client.send(HttpRequest.newBuilder(URI.create(url)).timeout(timeout).build(),
				HttpResponse.BodyHandlers.ofString());
	}
}
