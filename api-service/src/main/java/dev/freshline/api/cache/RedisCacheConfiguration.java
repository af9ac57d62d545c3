package dev.freshline.api.cache;

import java.time.Duration;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.TimeoutOptions;

import org.springframework.boot.data.redis.autoconfigure.LettuceClientOptionsBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import dev.freshline.api.ApiProperties;
import dev.freshline.cache.CacheCommands;
import dev.freshline.cache.FillCommands;
import dev.freshline.model.CacheKeys;
import dev.freshline.model.InvalidationRules;
import dev.freshline.model.RuleSet;

/**
 * Redis for the read path. Lettuce by default queues commands while disconnected and replays
 * them on reconnect, which would write a late fill long after its read; here commands fail at
 * once while disconnected, and the command timeout (spring.data.redis.timeout) is kept short.
 */
@Configuration(proxyBeanMethods = false)
class RedisCacheConfiguration {

	/** Admin operations may take longer than a read's budget: they are not on the request path of readers. */
	private static final Duration ADMIN_REPLY_TIMEOUT = Duration.ofSeconds(10);

	/**
	 * The options Boot built, with commands rejected while disconnected. On these options Boot
	 * has already put the connect timeout (spring.data.redis.connect-timeout) and an SSL bundle's
	 * trust and key managers: replacing them wholesale, as a client configuration customizer
	 * would, drops both.
	 */
	@Bean
	LettuceClientOptionsBuilderCustomizer failFastWhileDisconnected() {
		return (options) -> options.disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
			.timeoutOptions(TimeoutOptions.enabled());
	}

	@Bean
	CacheKeys cacheKeys(ApiProperties properties) {
		return new CacheKeys(properties.keyPrefix());
	}

	@Bean
	InvalidationRules invalidationRules(ApiProperties properties, CacheKeys keys) {
		return new InvalidationRules(RuleSet.load(properties.rules()), keys);
	}

	/** The fill protocol's read, fill and release, on the same fail-fast connections as every read. */
	@Bean
	FillCommands fillCommands(RedisConnectionFactory connectionFactory, CacheKeys keys) {
		return new FillCommands(connectionFactory, keys);
	}

	/** Admin commands wait for Redis up to their own budget, not a read's: see {@link AdminRedisConnections}. */
	@Bean
	AdminRedisConnections adminRedisConnections(LettuceConnectionFactory readConnections) {
		return new AdminRedisConnections(readConnections, ADMIN_REPLY_TIMEOUT);
	}

	/**
	 * Admin flushes, tag invalidations and the API's invalidations after its own writes: the same
	 * commands the invalidator runs, on the admin connections. Readers register their tags through
	 * their own instance on the read connections (CachingConfiguration), within a read's budget.
	 */
	@Bean
	CacheCommands cacheCommands(AdminRedisConnections connections, CacheKeys keys, ApiProperties properties) {
		return new CacheCommands(connections.factory(), keys, properties.cache().floorTtl(), 500, ADMIN_REPLY_TIMEOUT);
	}
}
