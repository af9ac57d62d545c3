package dev.freshline.api.cache;

import java.time.Duration;

import io.lettuce.core.ClientOptions;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.data.redis.autoconfigure.LettuceClientOptionsBuilderCustomizer;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The read path's fail-fast options go on top of the ones Boot builds from spring.data.redis.*:
 * the connect timeout (REDIS_CONNECT_TIMEOUT, part of a read's budget) and an SSL bundle's
 * managers travel in those same options, so losing one means losing the others.
 */
class RedisCacheConfigurationTests {

	private final ApplicationContextRunner contexts = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class))
		.withBean(LettuceClientOptionsBuilderCustomizer.class, () -> new RedisCacheConfiguration().failFastWhileDisconnected());

	@Test
	void shouldRejectCommandsWhileDisconnectedAndKeepTheConnectTimeout() {
		this.contexts.withPropertyValues("spring.data.redis.connect-timeout=200ms").run((context) -> {
			ClientOptions options = context.getBean(LettuceConnectionFactory.class)
				.getClientConfiguration()
				.getClientOptions()
				.orElseThrow();

			assertThat(options.getDisconnectedBehavior()).isEqualTo(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS);
			assertThat(options.getTimeoutOptions().isTimeoutCommands()).isTrue();
			assertThat(options.getSocketOptions().getConnectTimeout()).isEqualTo(Duration.ofMillis(200));
		});
	}
}
