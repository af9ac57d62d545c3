package dev.freshline.bench;

import java.time.Duration;

import io.lettuce.core.RedisURI;
import tools.jackson.databind.JsonNode;

/**
 * Where the bench and chaos harness connect to the launcher's Redis, and as whom: the run's
 * {@code harness} user from {@code local-stack.json} (redis.users.harness), which may audit the
 * cache, watch keyspace events and snapshot Redis, but not flush it (freshline-redis-users.acl).
 */
public final class HarnessRedis {

	/** The user of freshline-redis-users.acl the harness logs in as. */
	static final String USER = "harness";

	private HarnessRedis() {
	}

	/** {@code stack} is the launcher's {@code local-stack.json}. */
	public static RedisURI uri(JsonNode stack) {
		JsonNode redis = stack.path("redis");
		return uri(stack, redis.path("host").asString(), redis.path("port").asInt());
	}

	/** One node of the stack's Redis Cluster ({@code redis.clusterNodes}), as the harness user. */
	public static RedisURI uri(JsonNode stack, String host, int port) {
		JsonNode redis = stack.path("redis");
		RedisURI.Builder uri = RedisURI.builder().withHost(host).withPort(port).withTimeout(Duration.ofSeconds(60));
		JsonNode user = redis.path("users").path(USER);
		if (!user.isMissingNode()) {
			uri.withAuthentication(user.path("user").asString(), user.path("password").asString().toCharArray());
		}
		return uri.build();
	}
}
