package dev.freshline.api.freshness;

import java.time.Duration;

import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

import dev.freshline.api.ApiProperties;
import dev.freshline.cache.CacheCommands;
import dev.freshline.model.CacheKeys;
import dev.freshline.model.InvalidationRules;

/** The fence, on the read connections' budget, and the {@code Freshline-After} header's parser. */
@Configuration(proxyBeanMethods = false)
class FreshnessConfiguration implements WebMvcConfigurer {

	@Bean
	PipelineFence pipelineFence(ApiProperties properties, InvalidationRules rules, CacheKeys keys,
			RedisConnectionFactory connectionFactory, JdbcClient jdbc, MeterRegistry meters) {
		// the read connections: a Redis slower than a read's budget fails the refresh, and the
		// watermarks it keeps age, rather than one refresh waiting out the admin commands' 10 s
		CacheCommands reads = new CacheCommands(connectionFactory, keys, properties.cache().floorTtl(), 500, Duration.ZERO);
		return new PipelineFence(properties.fence(), rules.ruleSet(), reads::appliedWatermarks, new PostgresClock(jdbc), meters);
	}

	@Override
	public void addInterceptors(InterceptorRegistry registry) {
		registry.addInterceptor(new ReadAfter());
	}
}
