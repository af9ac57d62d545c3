package dev.freshline.bench.chaos;

import java.time.Duration;
import java.util.Objects;

/**
 * A server unreachable or slow for its clients, through the {@link FaultProxy} the harness puts in
 * front of it (see {@link Proxied} for whose traffic goes through it); the server itself runs on.
 */
final class NetworkFault implements Fault {

	static final Duration LATENCY = Duration.ofMillis(200);

	private final Proxied server;

	private final boolean unreachable;

	private final Duration duration;

	private NetworkFault(Proxied server, boolean unreachable, Duration duration) {
		this.server = server;
		this.unreachable = unreachable;
		this.duration = duration;
	}

	/** Every byte between {@code server} and its clients held for {@code duration}, then delivered. */
	static NetworkFault unreachable(Proxied server, Duration duration) {
		return new NetworkFault(server, true, duration);
	}

	/** {@link #LATENCY} added each way to every byte between {@code server} and its clients for {@code duration}. */
	static NetworkFault slow(Proxied server, Duration duration) {
		return new NetworkFault(server, false, duration);
	}

	Proxied server() {
		return this.server;
	}

	@Override
	public String description() {
		String clients = (this.server == Proxied.REDIS) ? "the services" : "every client";
		return this.unreachable
				? this.server.what() + " unreachable for " + clients + " for " + this.duration.toSeconds()
						+ " s (fault proxy: every byte held)"
				: "+" + LATENCY.toMillis() + " ms each way on every byte between " + this.server.what() + " and "
						+ clients + " for " + this.duration.toSeconds() + " s (fault proxy: delay)";
	}

	@Override
	public void inject(ChaosContext context) {
		FaultProxy proxy = proxy(context);
		if (this.unreachable) {
			proxy.drop();
		}
		else {
			proxy.delay(LATENCY);
		}
		context.progress().line("  fault proxy on port %d: %s", proxy.port(), proxy.mode());
	}

	@Override
	public Duration duration() {
		return this.duration;
	}

	@Override
	public void end(ChaosContext context) {
		proxy(context).pass();
		context.progress().line("  fault proxy: PASS");
	}

	private FaultProxy proxy(ChaosContext context) {
		return Objects.requireNonNull(context.proxies().get(this.server),
				() -> "the stack was started without a fault proxy in front of " + this.server.what());
	}
}
