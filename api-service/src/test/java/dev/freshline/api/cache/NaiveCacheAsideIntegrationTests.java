package dev.freshline.api.cache;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.RedisTemplate;
import org.springframework.data.redis.serializer.RedisSerializer;

import dev.freshline.api.ApiProperties;
import dev.freshline.cache.CacheCommands;
import dev.freshline.cache.FillCommands;
import dev.freshline.embedded.SharedServers;
import dev.freshline.model.CacheKeys;
import dev.freshline.model.Invalidation;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The NAIVE negative control on a real Redis: it serves what it stored, and it stores the stale
 * value that {@link ReadThroughCacheIntegrationTests} shows the fill protocol refusing.
 */
class NaiveCacheAsideIntegrationTests {

	private final CacheKeys keys = new CacheKeys(SharedServers.uniqueName("naive"));

	private final LettuceConnectionFactory connections = new LettuceConnectionFactory(
			new RedisStandaloneConfiguration(SharedServers.get().redis().host(), SharedServers.get().redis().port()));

	private final RedisTemplate<String, byte[]> redis = new RedisTemplate<>();

	private final ApiProperties.Expiry expiry = new ApiProperties.Expiry(Duration.ofMinutes(1), Duration.ZERO, 0,
			Duration.ofSeconds(30));

	private final AtomicReference<Runnable> afterDatabaseRead = new AtomicReference<>(() -> {
	});

	private final AtomicInteger loads = new AtomicInteger();

	private CacheCommands commands;

	private NaiveCacheAside cache;

	@BeforeEach
	void start() {
		this.connections.afterPropertiesSet();
		this.connections.start();
		this.redis.setConnectionFactory(this.connections);
		this.redis.setKeySerializer(RedisSerializer.string());
		this.redis.setValueSerializer(RedisSerializer.byteArray());
		this.redis.afterPropertiesSet();
		FillHooks hooks = new FillHooks() {
			@Override
			public void afterDatabaseRead(String key) {
				NaiveCacheAsideIntegrationTests.this.afterDatabaseRead.get().run();
			}
		};
		this.commands = new CacheCommands(this.connections, this.keys, Duration.ofMinutes(10), 100, Duration.ofSeconds(5));
		this.cache = new NaiveCacheAside(this.redis, new FillCommands(this.connections, this.keys), hooks,
				new ReadMetrics(new SimpleMeterRegistry()), Clock.systemUTC());
	}

	@AfterEach
	void close() {
		this.connections.destroy();
	}

	@Test
	void shouldServeItsOwnFillFromRedis() {
		String key = this.keys.patient(1);

		assertThat(this.cache.read(key, List.of(), this.expiry, () -> row(1))).hasValueSatisfying(
				(body) -> assertThat(new String(body)).isEqualTo("{\"version\":1}"));
		assertThat(this.cache.read(key, List.of(), this.expiry, () -> row(2))).as("served from the cache")
			.hasValueSatisfying((body) -> assertThat(new String(body)).isEqualTo("{\"version\":1}"));
		assertThat(this.loads).hasValue(1);
		assertThat(this.cache.peek(key)).isPresent();
	}

	@Test
	void shouldNotCacheNotFound() {
		String key = this.keys.patient(2);

		assertThat(this.cache.read(key, List.of(), this.expiry, this::nothing)).isEmpty();
		assertThat(this.cache.read(key, List.of(), this.expiry, this::nothing)).isEmpty();

		assertThat(this.loads).hasValue(2);
		assertThat(this.redis.hasKey(key)).isFalse();
	}

	@Test
	void negativeControlStoresAFillWhoseKeyWasInvalidatedWhileItLoaded() {
		String key = this.keys.patient(3);
		// the row changes to version 2 and is invalidated after this reader read version 1
		this.afterDatabaseRead.set(() -> this.commands.invalidate(List.of(new Invalidation(key, 2))));

		this.cache.read(key, List.of(), this.expiry, () -> row(1));

		assertThat(this.redis.hasKey(key)).as("without lease and floor the stale row lands").isTrue();
	}

	private Optional<Loaded> nothing() {
		this.loads.incrementAndGet();
		return Optional.empty();
	}

	private Optional<Loaded> row(long version) {
		this.loads.incrementAndGet();
		return Optional.of(new Loaded(("{\"version\":" + version + "}").getBytes(), version));
	}
}
