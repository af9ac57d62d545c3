package dev.freshline.api.cache;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
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
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The read path's own bookkeeping on a real Redis, outside any web request. */
class ReadThroughCacheIntegrationTests {

	private final CacheKeys keys = new CacheKeys(SharedServers.uniqueName("rtc"));

	private final LettuceConnectionFactory connections = new LettuceConnectionFactory(
			new RedisStandaloneConfiguration(SharedServers.get().redis().host(), SharedServers.get().redis().port()));

	private final RedisTemplate<String, byte[]> redis = new RedisTemplate<>();

	private final ApiProperties.Expiry expiry = new ApiProperties.Expiry(Duration.ofMinutes(1), Duration.ZERO, 0,
			Duration.ofSeconds(30));

	private final AtomicReference<Runnable> afterDatabaseRead = new AtomicReference<>(() -> {
	});

	private final FillHooks hooks = new FillHooks() {
		@Override
		public void afterDatabaseRead(String key) {
			ReadThroughCacheIntegrationTests.this.afterDatabaseRead.get().run();
		}
	};

	private CacheCommands commands;

	private ReadThroughCache cache;

	private final AtomicInteger loads = new AtomicInteger();

	@AfterEach
	void close() {
		this.connections.destroy();
	}

	@Test
	void shouldGiveTheLeaseBackWhenTheLoadFails() {
		start();
		String key = this.keys.patient(1);

		assertThatThrownBy(() -> this.cache.read(key, this.expiry, () -> {
			throw new IllegalStateException("Postgres timed out");
		})).hasMessage("Postgres timed out");

		assertThat(this.redis.hasKey(this.keys.lease(key))).as("no lease left for others to wait on").isFalse();
		assertThat(this.cache.read(key, this.expiry, () -> Optional.of(new Loaded("{}".getBytes(), 1)))).isPresent();
		assertThat(this.redis.hasKey(key)).as("the next reader leased and filled at once").isTrue();
	}

	@Test
	void shouldCacheNotFoundUntilTheRowIsCreated() {
		start();
		String key = this.keys.patient(2);

		assertThat(this.cache.read(key, this.expiry, this::nothing)).isEmpty();
		assertThat(this.cache.read(key, this.expiry, this::nothing)).as("served from the cache").isEmpty();
		assertThat(this.loads).hasValue(1);
		assertThat(this.cache.peek(key)).as("a cached 'not found' is no body to serve").isEmpty();

		// the INSERT's invalidation: version 1 becomes the floor
		this.commands.invalidate(List.of(new Invalidation(key, 1)));

		assertThat(this.cache.read(key, this.expiry, () -> row(1))).isPresent();
		assertThat(this.redis.hasKey(key)).isTrue();
	}

	@Test
	void shouldRefuseALateNotFoundFillOnceTheRowExists() {
		start();
		String key = this.keys.patient(3);
		// the reader saw no row; the row is created and invalidated before the reader fills
		this.afterDatabaseRead.set(() -> this.commands.invalidate(List.of(new Invalidation(key, 1))));

		assertThat(this.cache.read(key, this.expiry, this::nothing)).isEmpty();

		assertThat(this.redis.hasKey(key)).as("no stale 'not found' left behind").isFalse();
	}

	@Test
	void shouldRefuseAFillWhoseTagWasInvalidatedWhileItLoaded() {
		start();
		String key = this.keys.formulary(7);
		List<String> tags = List.of(this.keys.tagIndex("hospital:7"));
		this.afterDatabaseRead.set(() -> this.commands.invalidateTag("hospital:7"));

		this.cache.read(key, tags, this.expiry, () -> row(1));

		assertThat(this.redis.hasKey(key)).as("the registration let the tag invalidation kill the lease").isFalse();
	}

	@Test
	void negativeControlAnUnregisteredEntrySurvivesTheSameTagInvalidation() {
		start();
		String key = this.keys.formulary(8);
		this.afterDatabaseRead.set(() -> this.commands.invalidateTag("hospital:8"));

		this.cache.read(key, List.of(), this.expiry, () -> row(1));

		assertThat(this.redis.hasKey(key)).as("without registration the stale fill lands").isTrue();
	}

	@Test
	void shouldRegisterAFilledEntryUnderItsTags() {
		start();
		String key = this.keys.formulary(9);
		String index = this.keys.tagIndex("hospital:9");

		this.cache.read(key, List.of(index), this.expiry, () -> row(1));
		assertThat(this.redis.hasKey(key)).isTrue();

		assertThat(this.commands.invalidateTag("hospital:9")).isEqualTo(1);
		assertThat(this.redis.hasKey(key)).isFalse();
	}

	private Optional<Loaded> nothing() {
		this.loads.incrementAndGet();
		return Optional.empty();
	}

	private Optional<Loaded> row(long version) {
		this.loads.incrementAndGet();
		return Optional.of(new Loaded("{\"version\":1}".getBytes(), version));
	}

	private void start() {
		this.connections.afterPropertiesSet();
		this.connections.start();
		this.redis.setConnectionFactory(this.connections);
		this.redis.setKeySerializer(RedisSerializer.string());
		this.redis.setValueSerializer(RedisSerializer.byteArray());
		this.redis.afterPropertiesSet();
		ApiProperties.Cache settings = new ApiProperties.Cache(this.expiry, this.expiry, this.expiry,
				Duration.ofSeconds(2), Duration.ofMillis(500), Duration.ofMinutes(10), ApiProperties.FillProtocol.LEASED);
		this.commands = new CacheCommands(this.connections, this.keys, Duration.ofMinutes(10), 100, Duration.ofSeconds(5));
		this.cache = new ReadThroughCache(new FillCommands(this.connections, this.keys), this.commands, settings,
				this.hooks, new ReadMetrics(new SimpleMeterRegistry()), Clock.systemUTC());
	}
}
