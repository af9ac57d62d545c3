package dev.freshline.cache;

import java.time.Duration;
import java.util.List;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisException;
import org.junit.jupiter.api.Test;

import org.springframework.dao.DataAccessException;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import dev.freshline.embedded.RedisServer;
import dev.freshline.embedded.SharedServers;
import dev.freshline.model.CacheKeys;
import dev.freshline.model.Invalidation;
import dev.freshline.model.Namespace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * What a caller of {@link CacheCommands} sees when Redis does not answer: a Spring
 * {@link DataAccessException} (the template's commands) or a {@link CacheCommandException} (the
 * pipelined scripts and the per-primary SCAN, which are Lettuce's own commands), never Lettuce's
 * raw {@link RedisException}. The API turns exactly those into a 503 with Retry-After; a raw one
 * was a 500. The connections reject commands while disconnected, as the API's do.
 */
class CacheCommandFailuresIntegrationTests {

	private final CacheKeys keys = new CacheKeys(SharedServers.uniqueName("cf"));

	@Test
	void shouldRaiseRedisBeingDownAsOneOfItsOwnFailuresNeverAsLettucesRawException() {
		try (RedisServer redis = RedisServer.start()) {
			LettuceConnectionFactory connections = rejectingWhileDisconnected(redis);
			try {
				CacheCommands commands = new CacheCommands(connections, this.keys, Duration.ofMinutes(1), 7,
						Duration.ofSeconds(5));
				List<Invalidation> invalidations = List.of(new Invalidation(this.keys.patient(1), 2));
				commands.invalidate(invalidations); // connected, so what follows is a lost connection
				redis.stop();

				assertThat(catchThrowable(() -> commands.invalidate(invalidations))).as("the pipelined scripts")
					.isInstanceOfAny(CacheCommandException.class, DataAccessException.class);
				assertThat(catchThrowable(() -> commands.flush(Namespace.PATIENT, (removed) -> {
				}))).as("the SCAN of every primary").isInstanceOfAny(CacheCommandException.class, DataAccessException.class);
				assertThat(catchThrowable(() -> commands.invalidateTag("hospital:1"))).as("a tag invalidation")
					.isInstanceOfAny(CacheCommandException.class, DataAccessException.class);
			}
			finally {
				connections.destroy();
			}
		}
	}

	private static LettuceConnectionFactory rejectingWhileDisconnected(RedisServer redis) {
		LettuceConnectionFactory factory = new LettuceConnectionFactory(
				new RedisStandaloneConfiguration(redis.host(), redis.port()),
				LettuceClientConfiguration.builder()
					.clientOptions(ClientOptions.builder()
						.disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
						.build())
					.commandTimeout(Duration.ofSeconds(2))
					.build());
		factory.afterPropertiesSet();
		factory.start();
		return factory;
	}
}
