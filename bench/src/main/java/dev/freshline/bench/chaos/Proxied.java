package dev.freshline.bench.chaos;

/**
 * A server the harness can put a {@link FaultProxy} in front of. Redis: the services connect to the
 * proxy and the harness to Redis itself, so the audit still sees Redis. Kafka: the broker
 * advertises the proxy, and clients connect where the broker says it is, so every client, the
 * harness' too, goes through it.
 */
enum Proxied {

	REDIS("Redis", "FRESHLINE_REDIS_PORT", "FRESHLINE_SERVICES_REDIS_PORT"),

	KAFKA("the Kafka broker", "FRESHLINE_KAFKA_PORT", "FRESHLINE_KAFKA_ADVERTISED_PORT");

	private final String what;

	private final String serverPortVariable;

	private final String proxyPortVariable;

	Proxied(String what, String serverPortVariable, String proxyPortVariable) {
		this.what = what;
		this.serverPortVariable = serverPortVariable;
		this.proxyPortVariable = proxyPortVariable;
	}

	String what() {
		return this.what;
	}

	/** The launcher's setting for the port the server itself listens on. */
	String serverPortVariable() {
		return this.serverPortVariable;
	}

	/** The launcher's setting for the port clients are sent to: the proxy's. */
	String proxyPortVariable() {
		return this.proxyPortVariable;
	}
}
