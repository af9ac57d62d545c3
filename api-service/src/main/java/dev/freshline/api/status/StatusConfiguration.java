package dev.freshline.api.status;

import java.time.Duration;

import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.boot.actuate.autoconfigure.web.ManagementContextConfiguration;
import org.springframework.boot.actuate.autoconfigure.web.ManagementContextType;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.context.annotation.Bean;
import org.springframework.data.redis.connection.RedisConnectionFactory;

import dev.freshline.api.ApiProperties;
import dev.freshline.api.freshness.PipelineFence;
import dev.freshline.cache.CacheCommands;
import dev.freshline.model.CacheKeys;

/**
 * Puts the status page on the management server, beside the actuator: on loopback unless an
 * operator binds it elsewhere, no token, never on the API's own port. It shows figures, no
 * patient data.
 */
@ManagementContextConfiguration(value = ManagementContextType.ANY, proxyBeanMethods = false)
// only under the API: where the services share a class path (the end-to-end tests), the
// invalidator's and the connector's management contexts find this configuration too
@ConditionalOnBean(PipelineFence.class)
public class StatusConfiguration {

	@Bean
	StatusController statusController(PipelineFence fence, MeterRegistry meters, RedisConnectionFactory connections,
			CacheKeys keys, ApiProperties properties) {
		// reads only, one HGETALL a second: the hash the invalidators publish
		CacheCommands reads = new CacheCommands(connections, keys, properties.cache().floorTtl(), 500, Duration.ofSeconds(1));
		return new StatusController(fence, meters, reads::statuses);
	}
}
