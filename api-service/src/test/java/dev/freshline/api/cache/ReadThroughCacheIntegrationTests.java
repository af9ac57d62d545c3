package dev.freshline.api.cache;

import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.RedisTemplate;
import org.springframework.data.redis.serializer.RedisSerializer;

import dev.freshline.api.ApiProperties;
import dev.freshline.embedded.SharedServers;
import dev.freshline.model.CacheKeys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The read path's own bookkeeping on a real Redis, outside any web request. */
class ReadThroughCacheIntegrationTests {

	private final CacheKeys keys = new CacheKeys(SharedServers.uniqueName("rtc"));

	private final LettuceConnectionFactory connections = new LettuceConnectionFactory(
			new RedisStandaloneConfiguration(SharedServers.get().redis().host(), SharedServers.get().redis().port()));

	private final RedisTemplate<String, byte[]> redis = new RedisTemplate<>();

	private final ApiProperties.Expiry expiry = new ApiProperties.Expiry(Duration.ofMinutes(1), Duration.ZERO, 0);

	private ReadThroughCache cache;

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

	private void start() {
		this.connections.afterPropertiesSet();
		this.connections.start();
		this.redis.setConnectionFactory(this.connections);
		this.redis.setKeySerializer(RedisSerializer.string());
		this.redis.setValueSerializer(RedisSerializer.byteArray());
		this.redis.afterPropertiesSet();
		ApiProperties.Cache settings = new ApiProperties.Cache(this.expiry, this.expiry, Duration.ofSeconds(2),
				Duration.ofMillis(500), Duration.ofMinutes(10), ApiProperties.FillProtocol.LEASED);
		this.cache = new ReadThroughCache(this.redis, this.keys, settings, FillHooks.NONE, new SimpleMeterRegistry(),
				Clock.systemUTC());
	}
}
