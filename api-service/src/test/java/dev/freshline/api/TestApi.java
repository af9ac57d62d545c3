package dev.freshline.api;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import dev.freshline.embedded.RedisServer;
import dev.freshline.embedded.ServiceEnvironment;
import dev.freshline.embedded.TestDatabase;

/**
 * An API instance started in the test's JVM, as every API test starts one: on a database of the
 * test's own, trusting the test issuer's tokens, on free ports, under a key prefix of its own, and
 * with the freshness fence off (no pipeline writes watermarks here: with it on, every read would
 * bypass the cache). A test adds or overrides settings on {@link #environment} before {@link #start}.
 */
public final class TestApi {

	private TestApi() {
	}

	public static ServiceEnvironment environment(TestDatabase database, RedisServer redis, String keyPrefix) {
		return new ServiceEnvironment().put("spring.config.name", ApiApplication.CONFIG_NAME)
			.database(database)
			.testPublicKey()
			.redis(redis)
			.put(ServiceEnvironment.FRESHLINE_KEY_PREFIX, keyPrefix)
			.put(ServiceEnvironment.FRESHLINE_FENCE, false)
			.freePorts();
	}

	public static ConfigurableApplicationContext start(ServiceEnvironment environment) {
		return new SpringApplicationBuilder(ApiApplication.class).properties(environment.toMap()).run();
	}

	/** The API's own port: the API and its probes. */
	public static String url(ConfigurableApplicationContext api) {
		return "http://127.0.0.1:" + api.getEnvironment().getProperty("local.server.port");
	}

	/** The management port: the actuator, on loopback, no token. */
	public static String managementUrl(ConfigurableApplicationContext api) {
		return "http://127.0.0.1:" + api.getEnvironment().getProperty("local.management.port");
	}
}
