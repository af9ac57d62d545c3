package dev.freshline.api.cache;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.TimeoutOptions;

import org.springframework.boot.data.redis.autoconfigure.LettuceClientConfigurationBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.core.RedisTemplate;
import org.springframework.data.redis.serializer.RedisSerializer;

import dev.freshline.api.ApiProperties;
import dev.freshline.model.CacheKeys;

/**
 * Redis for the read path. Lettuce by default queues commands while disconnected and replays
 * them on reconnect, which would write a late fill long after its read; here commands fail at
 * once while disconnected, and the command timeout (spring.data.redis.timeout) is kept short.
 */
@Configuration(proxyBeanMethods = false)
class RedisCacheConfiguration {

	@Bean
	LettuceClientConfigurationBuilderCustomizer failFastWhileDisconnected() {
		return (builder) -> builder.clientOptions(ClientOptions.builder()
			.disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
			.timeoutOptions(TimeoutOptions.enabled())
			.build());
	}

	@Bean
	RedisTemplate<String, byte[]> cacheRedisTemplate(RedisConnectionFactory connectionFactory) {
		RedisTemplate<String, byte[]> template = new RedisTemplate<>();
		template.setConnectionFactory(connectionFactory);
		template.setKeySerializer(RedisSerializer.string());
		template.setValueSerializer(RedisSerializer.byteArray());
		return template;
	}

	@Bean
	CacheKeys cacheKeys(ApiProperties properties) {
		return new CacheKeys(properties.keyPrefix());
	}
}
