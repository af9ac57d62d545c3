package dev.freshline.ops;

import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.data.redis.RedisConnectionFailureException;

import dev.freshline.cache.acl.RedisUsers;
import dev.freshline.embedded.RedisServer;
import dev.freshline.model.CacheKeys;
import dev.freshline.model.Invalidation;
import dev.freshline.model.Namespace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The tool's Redis client logs in as the user its endpoints name, on a Redis whose default user is off. */
class ClientsIntegrationTests {

	private static final CacheKeys KEYS = new CacheKeys("opsacl");

	private static RedisServer server;

	@BeforeAll
	static void startRedisWithUsers() {
		server = RedisServer.startWithUsers(RedisUsers.load().aclFile(KEYS, Map.of(RedisUsers.OPS, "ops-pw")));
	}

	@AfterAll
	static void stopRedis() {
		server.close();
	}

	@Test
	void shouldPingInvalidateAndFlushAsTheOpsUser() {
		try (Clients clients = new Clients(endpoints("ops", "ops-pw"))) {
			clients.ping();
			clients.cache().invalidate(List.of(new Invalidation(KEYS.patient(1), 3)));
			assertThat(clients.cache().flush(Namespace.PATIENT, (removed) -> {
			})).isEqualTo(1);
		}
	}

	@Test
	void shouldFailWithoutTheUsersPassword() {
		try (Clients clients = new Clients(endpoints("ops", null))) {
			assertThatThrownBy(clients::ping).hasStackTraceContaining("WRONGPASS");
		}
		try (Clients clients = new Clients(endpoints(null, null))) {
			// refused: Lettuce reports the NOAUTH reply to its HELLO, or only that the handshake broke off
			assertThatExceptionOfType(RedisConnectionFailureException.class).isThrownBy(clients::ping);
		}
	}

	private static Endpoints endpoints(@Nullable String user, @Nullable String password) {
		return new Endpoints("127.0.0.1:1", server.host(), server.port(), user, password, "freshline", KEYS.prefix(),
				"classpath:freshline-rules.yml", "test");
	}
}
