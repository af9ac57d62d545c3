package dev.freshline.bench.chaos;

import java.time.Duration;
import java.util.Objects;

/**
 * Redis unreachable or slow for the services, through the {@link FaultProxy} the harness puts
 * between them and Redis; Redis itself, and the harness' own connection to it, are untouched.
 */
final class RedisNetworkFault implements Fault {

	static final Duration LATENCY = Duration.ofMillis(200);

	private final boolean unreachable;

	private final Duration duration;

	private RedisNetworkFault(boolean unreachable, Duration duration) {
		this.unreachable = unreachable;
		this.duration = duration;
	}

	/** Every byte between the services and Redis held for {@code duration}, then delivered. */
	static RedisNetworkFault unreachable(Duration duration) {
		return new RedisNetworkFault(true, duration);
	}

	/** {@link #LATENCY} added each way to every byte between the services and Redis for {@code duration}. */
	static RedisNetworkFault slow(Duration duration) {
		return new RedisNetworkFault(false, duration);
	}

	@Override
	public String description() {
		return this.unreachable
				? "Redis unreachable for the services for " + this.duration.toSeconds() + " s (fault proxy: every byte held)"
				: "+" + LATENCY.toMillis() + " ms each way on every Redis command of the services for "
						+ this.duration.toSeconds() + " s (fault proxy: delay)";
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

	private static FaultProxy proxy(ChaosContext context) {
		return Objects.requireNonNull(context.redisProxy(), "the stack was started without a Redis fault proxy");
	}
}
