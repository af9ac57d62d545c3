package dev.freshline.api.cache;

import java.time.Clock;
import java.time.Duration;

import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.core.RedisTemplate;
import org.springframework.data.redis.serializer.RedisSerializer;

import dev.freshline.api.ApiProperties;
import dev.freshline.cache.CacheCommands;
import dev.freshline.cache.FillCommands;
import dev.freshline.model.CacheKeys;

/**
 * Turns on {@code @Cacheable}, backed by {@link FreshlineCacheManager}, and picks the
 * {@link CacheReader} behind it: the fill protocol, unless {@code freshline.api.cache.protocol}
 * selects the NAIVE negative control.
 */
@Configuration(proxyBeanMethods = false)
@EnableCaching
class CachingConfiguration {

	@Bean
	ReadMetrics readMetrics(MeterRegistry meters) {
		return new ReadMetrics(meters);
	}

	@Bean
	CacheReader cacheReader(ApiProperties properties, FillCommands protocol, CacheKeys keys,
			RedisConnectionFactory connectionFactory, ObjectProvider<FillHooks> hooks, ReadMetrics metrics) {
		FillHooks fillHooks = hooks.getIfAvailable(() -> FillHooks.NONE);
		return switch (properties.cache().protocol()) {
			case LEASED -> new ReadThroughCache(protocol, registrations(connectionFactory, keys, properties),
					properties.cache(), fillHooks, metrics, Clock.systemUTC());
			// only tests and the torture checker select it, to show what the protocol prevents
			case NAIVE -> new NaiveCacheAside(rawValues(connectionFactory), protocol, fillHooks, metrics,
					Clock.systemUTC());
		};
	}

	/**
	 * Tag registrations are on a reader's path, so they run on the read connections, whose command
	 * timeout (spring.data.redis.timeout) bounds them; the admin commands bean has connections of
	 * its own with a longer budget. Registrations send no pipelined batch, so the batch reply
	 * timeout given here never applies.
	 */
	private static CacheCommands registrations(RedisConnectionFactory connectionFactory, CacheKeys keys,
			ApiProperties properties) {
		return new CacheCommands(connectionFactory, keys, properties.cache().floorTtl(), 500, Duration.ZERO);
	}

	/**
	 * Raw values for the NAIVE negative control, which writes without the protocol's scripts. Built
	 * here, not as a bean, so a service running the fill protocol has no such template at all.
	 */
	private static RedisTemplate<String, byte[]> rawValues(RedisConnectionFactory connectionFactory) {
		RedisTemplate<String, byte[]> template = new RedisTemplate<>();
		template.setConnectionFactory(connectionFactory);
		template.setKeySerializer(RedisSerializer.string());
		template.setValueSerializer(RedisSerializer.byteArray());
		// what the container did for the bean: checks the template and builds its operations
		template.afterPropertiesSet();
		return template;
	}
}
