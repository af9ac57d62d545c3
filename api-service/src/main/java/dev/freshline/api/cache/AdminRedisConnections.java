package dev.freshline.api.cache;

import java.time.Duration;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.data.redis.connection.RedisConfiguration;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * Connections for admin commands (flushes, tag invalidations, the API's own invalidations after a
 * write) with a command timeout of their own. On the read connections Lettuce cancels every
 * command after the read budget (100 ms), so a pipelined batch never got the seconds it is
 * allowed to wait for its replies. Same server, same fail-fast options (no queueing while
 * disconnected, the same connect timeout); only the command timeout differs. Deliberately not a
 * {@link RedisConnectionFactory} bean: Boot's own, the read path's, would back off.
 */
final class AdminRedisConnections implements DisposableBean {

	private final LettuceConnectionFactory factory;

	AdminRedisConnections(LettuceConnectionFactory readConnections, Duration commandTimeout) {
		this.factory = new LettuceConnectionFactory(serverOf(readConnections),
				adminConfiguration(readConnections.getClientConfiguration(), commandTimeout));
		this.factory.afterPropertiesSet();
		this.factory.start();
	}

	/**
	 * The read path's client configuration with another command timeout: the same client
	 * resources (event loops and timers are shared, and stay owned by the read path's factory),
	 * options, name, replica routing, credentials and TLS settings.
	 */
	static LettuceClientConfiguration adminConfiguration(LettuceClientConfiguration read, Duration commandTimeout) {
		LettuceClientConfiguration.LettuceClientConfigurationBuilder admin = LettuceClientConfiguration.builder()
			.commandTimeout(commandTimeout)
			.shutdownTimeout(read.getShutdownTimeout())
			.shutdownQuietPeriod(read.getShutdownQuietPeriod());
		read.getClientResources().ifPresent(admin::clientResources);
		read.getClientOptions().ifPresent(admin::clientOptions);
		read.getClientName().ifPresent(admin::clientName);
		read.getReadFrom().ifPresent(admin::readFrom);
		read.getRedisCredentialsProviderFactory().ifPresent(admin::redisCredentialsProviderFactory);
		if (read.isUseSsl()) {
			LettuceClientConfiguration.LettuceSslClientConfigurationBuilder ssl = admin.useSsl().verifyPeer(read.getVerifyMode());
			if (read.isStartTls()) {
				ssl.startTls();
			}
			admin = ssl.and();
		}
		return admin.build();
	}

	RedisConnectionFactory factory() {
		return this.factory;
	}

	@Override
	public void destroy() {
		this.factory.destroy();
	}

	private static RedisConfiguration serverOf(LettuceConnectionFactory connections) {
		if (connections.getClusterConfiguration() != null) {
			return connections.getClusterConfiguration();
		}
		if (connections.getSentinelConfiguration() != null) {
			return connections.getSentinelConfiguration();
		}
		return connections.getStandaloneConfiguration();
	}
}
