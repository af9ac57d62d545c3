package dev.freshline.api.cache;

import java.time.Duration;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.ReadFrom;
import io.lettuce.core.SslVerifyMode;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import org.junit.jupiter.api.Test;

import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The admin connections differ from the read path's in their command timeout only: a copy that
 * dropped the TLS verification mode, the shared client resources or the replica routing would
 * talk to Redis differently from every other connection of the API.
 */
class AdminRedisConnectionsTests {

	@Test
	void shouldCopyEverythingButTheCommandTimeout() {
		ClientResources resources = DefaultClientResources.create();
		try {
			ClientOptions options = ClientOptions.builder().autoReconnect(false).build();
			LettuceClientConfiguration read = LettuceClientConfiguration.builder()
				.commandTimeout(Duration.ofMillis(100))
				.shutdownTimeout(Duration.ofMillis(250))
				.clientResources(resources)
				.clientOptions(options)
				.clientName("api-1")
				.readFrom(ReadFrom.REPLICA_PREFERRED)
				.useSsl()
				.verifyPeer(SslVerifyMode.CA)
				.startTls()
				.and()
				.build();

			LettuceClientConfiguration admin = AdminRedisConnections.adminConfiguration(read, Duration.ofSeconds(10));

			assertThat(admin.getCommandTimeout()).isEqualTo(Duration.ofSeconds(10));
			assertThat(admin.getShutdownTimeout()).isEqualTo(read.getShutdownTimeout());
			assertThat(admin.getClientResources()).containsSame(resources);
			assertThat(admin.getClientOptions()).containsSame(options);
			assertThat(admin.getClientName()).contains("api-1");
			assertThat(admin.getReadFrom()).contains(ReadFrom.REPLICA_PREFERRED);
			assertThat(admin.isUseSsl()).isTrue();
			assertThat(admin.getVerifyMode()).isEqualTo(SslVerifyMode.CA);
			assertThat(admin.isStartTls()).isTrue();
		}
		finally {
			resources.shutdown();
		}
	}

	@Test
	void shouldStayPlainWhenTheReadPathIs() {
		LettuceClientConfiguration admin = AdminRedisConnections
			.adminConfiguration(LettuceClientConfiguration.builder().build(), Duration.ofSeconds(10));

		assertThat(admin.isUseSsl()).isFalse();
		assertThat(admin.getClientResources()).isEmpty();
	}
}
