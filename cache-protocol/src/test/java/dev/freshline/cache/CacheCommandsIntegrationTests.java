package dev.freshline.cache;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

import dev.freshline.embedded.RedisServer;
import dev.freshline.model.CacheKeys;
import dev.freshline.model.Invalidation;
import dev.freshline.model.Namespace;

import static org.assertj.core.api.Assertions.assertThat;

/** Against a real Redis: the write side's commands, their batching and their idempotence. */
class CacheCommandsIntegrationTests {

	private static RedisServer server;

	private static LettuceConnectionFactory connections;

	private static StringRedisTemplate redis;

	private final CacheKeys keys = new CacheKeys("cc");

	private final CacheCommands commands = new CacheCommands(connections, this.keys, Duration.ofMinutes(1), 7,
			Duration.ofSeconds(5));

	@BeforeAll
	static void startRedis() {
		server = RedisServer.start();
		connections = new LettuceConnectionFactory(new RedisStandaloneConfiguration(server.host(), server.port()));
		connections.afterPropertiesSet();
		connections.start();
		redis = new StringRedisTemplate(connections);
	}

	@AfterAll
	static void stopRedis() {
		connections.destroy();
		server.close();
	}

	@BeforeEach
	void emptyRedis() {
		redis.execute((org.springframework.data.redis.core.RedisCallback<Object>) (connection) -> {
			connection.serverCommands().flushAll();
			return null;
		});
	}

	@Test
	void shouldInvalidateEveryKeyAcrossBatchesAndRaiseTheirFloors() {
		List<Invalidation> invalidations = new ArrayList<>();
		for (int id = 1; id <= 30; id++) {
			String key = this.keys.patient(id);
			redis.opsForValue().set(key, "cached");
			redis.opsForValue().set(this.keys.lease(key), "token");
			invalidations.add(new Invalidation(key, 5));
		}

		this.commands.invalidate(invalidations);

		for (Invalidation invalidation : invalidations) {
			assertThat(redis.hasKey(invalidation.key())).isFalse();
			assertThat(redis.hasKey(this.keys.lease(invalidation.key()))).isFalse();
			assertThat(redis.opsForValue().get(this.keys.floor(invalidation.key()))).isEqualTo("5");
		}
	}

	@Test
	void shouldReloadTheScriptWhenRedisForgotIt() {
		String key = this.keys.patient(1);
		this.commands.invalidate(List.of(new Invalidation(key, 1)));
		redis.execute((org.springframework.data.redis.core.RedisCallback<Object>) (connection) -> {
			connection.scriptingCommands().scriptFlush();
			return null;
		});
		redis.opsForValue().set(key, "cached");

		this.commands.invalidate(List.of(new Invalidation(key, 2)));

		assertThat(redis.hasKey(key)).isFalse();
		assertThat(redis.opsForValue().get(this.keys.floor(key))).isEqualTo("2");
	}

	@Test
	void shouldInvalidateEveryTaggedEntryAndKeepRegistrationsMadeAfterwards() {
		String index = this.keys.tagIndex("hospital:7");
		List<String> tagged = IntStream.rangeClosed(1, 20).mapToObj((id) -> this.keys.formulary(id)).toList();
		for (String key : tagged) {
			redis.opsForValue().set(key, "cached");
			this.commands.register(List.of(index), key, "read-" + key, Duration.ofMinutes(1));
		}
		String bystander = this.keys.formulary(99);
		redis.opsForValue().set(bystander, "cached");

		assertThat(this.commands.invalidateTag("hospital:7")).isEqualTo(20);

		assertThat(tagged).allSatisfy((key) -> assertThat(redis.hasKey(key)).isFalse());
		assertThat(redis.hasKey(bystander)).isTrue();
		assertThat(redis.opsForSet().size(index)).as("handled members are removed").isZero();
		this.commands.register(List.of(index), tagged.get(0), "a-later-read", Duration.ofMinutes(1));
		assertThat(redis.opsForSet().members(index)).containsExactly(tagged.get(0) + "|a-later-read");
		assertThat(redis.getExpire(index)).isPositive();
	}

	@Test
	void shouldFlushValuesLeasesAndFloorsOfOneNamespaceOnly() {
		for (int id = 1; id <= 25; id++) {
			String key = this.keys.patient(id);
			redis.opsForValue().set(key, "cached");
			redis.opsForValue().set(this.keys.lease(key), "token");
			redis.opsForValue().set(this.keys.floor(key), "3");
		}
		String other = this.keys.formulary(1);
		redis.opsForValue().set(other, "cached");
		List<Long> progress = new ArrayList<>();

		long removed = this.commands.flush(Namespace.PATIENT, progress::add);

		assertThat(removed).isEqualTo(75);
		assertThat(redis.keys("cc:patient:*")).isEmpty();
		assertThat(redis.hasKey(other)).isTrue();
		assertThat(progress).as("progress after each batch of 7").hasSizeGreaterThan(2).last().isEqualTo(75L);
	}
}
