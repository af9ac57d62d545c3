package dev.freshline.embedded;

import java.io.IOException;
import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class RedisServerIntegrationTests {

	private RedisServer redis;

	@BeforeEach
	void startRedis() {
		this.redis = RedisServer.start();
	}

	@AfterEach
	void stopRedis() {
		this.redis.close();
	}

	@Test
	void shouldSetAndGetAValue() throws IOException {
		try (RespClient client = new RespClient(this.redis.host(), this.redis.port())) {
			assertThat(client.call("SET", "product:1", "apple")).isEqualTo("OK");
			assertThat(client.call("GET", "product:1")).isEqualTo("apple");
			assertThat(client.call("GET", "product:2")).isNull();
		}
	}

	@Test
	void shouldRunWithoutPersistenceOnLoopback() throws IOException {
		try (RespClient client = new RespClient(this.redis.host(), this.redis.port())) {
			assertThat(client.call("CONFIG", "GET", "save")).isEqualTo("save\n");
			assertThat(client.call("CONFIG", "GET", "appendonly")).isEqualTo("appendonly\nno");
			assertThat(client.call("CONFIG", "GET", "bind")).isEqualTo("bind\n127.0.0.1");
			assertThat(client.call("INFO", "server")).contains("process_id:" + this.redis.pid());
		}
		assertThat(this.redis.host()).isEqualTo("127.0.0.1");
		assertThat(this.redis.isRunning()).isTrue();
	}

	@Test
	void shouldRefuseConnectionsWhenStopped() throws IOException {
		long pid = this.redis.pid();

		this.redis.stop();

		assertThat(this.redis.isRunning()).isFalse();
		assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
		assertThatThrownBy(() -> {
			try (RespClient client = new RespClient(this.redis.host(), this.redis.port())) {
				client.call("PING");
			}
		}).isInstanceOf(IOException.class);
		assertThatThrownBy(this.redis::pid).isInstanceOf(IllegalStateException.class);
	}

	@Test
	void shouldServeAgainOnTheSamePortAfterRestart() throws IOException {
		int port = this.redis.port();
		try (RespClient client = new RespClient(this.redis.host(), port)) {
			client.call("SET", "k", "before");
		}
		this.redis.stop();

		this.redis.restart();

		assertThat(this.redis.port()).isEqualTo(port);
		assertThat(this.redis.isRunning()).isTrue();
		await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
			try (RespClient client = new RespClient(this.redis.host(), port)) {
				assertThat(client.call("PING")).isEqualTo("PONG");
				// Nothing is persisted, so a restart starts empty.
				assertThat(client.call("GET", "k")).isNull();
			}
		});
	}

	@Test
	void shouldDropExistingConnectionsWhenStopped() throws IOException {
		try (RespClient client = new RespClient(this.redis.host(), this.redis.port())) {
			assertThat(client.call("PING")).isEqualTo("PONG");

			this.redis.stop();

			assertThatThrownBy(() -> client.call("PING")).isInstanceOf(IOException.class);
		}
	}
}
