package dev.freshline.api.cache;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.RedisTemplate;
import org.springframework.data.redis.serializer.RedisSerializer;

import dev.freshline.api.ApiProperties;
import dev.freshline.cache.CacheCommands;
import dev.freshline.cache.FillCommands;
import dev.freshline.embedded.SharedServers;
import dev.freshline.model.CacheKeys;

/**
 * What both cache readers' tests need on the shared real Redis: a fresh key prefix, the
 * invalidator's commands, hooks that run a test's action after each Postgres read, and loaders
 * that count their calls. One place, so the two tests differ only in the reader they build and
 * what they assert.
 */
final class CacheFixture implements AutoCloseable {

	final CacheKeys keys;

	final ApiProperties.Expiry expiry = new ApiProperties.Expiry(Duration.ofMinutes(1), Duration.ZERO, 0,
			Duration.ofSeconds(30));

	/** What a reader runs right after its Postgres read (nothing unless a test sets it). */
	final AtomicReference<Runnable> afterDatabaseRead = new AtomicReference<>(() -> {
	});

	/** What a reader runs when it finds the lease taken, before it starts waiting (nothing unless set). */
	final AtomicReference<Runnable> beforeLeaseWait = new AtomicReference<>(() -> {
	});

	final FillHooks hooks = new FillHooks() {
		@Override
		public void afterDatabaseRead(String key) {
			CacheFixture.this.afterDatabaseRead.get().run();
		}

		@Override
		public void beforeLeaseWait(String key) {
			CacheFixture.this.beforeLeaseWait.get().run();
		}
	};

	/** How often a loader of this fixture ran, i.e. how often Postgres was read. */
	final AtomicInteger loads = new AtomicInteger();

	final LettuceConnectionFactory connections = new LettuceConnectionFactory(
			new RedisStandaloneConfiguration(SharedServers.get().redis().host(), SharedServers.get().redis().port()));

	final RedisTemplate<String, byte[]> redis = new RedisTemplate<>();

	final CacheCommands commands;

	final FillCommands fills;

	final ReadMetrics metrics = new ReadMetrics(new SimpleMeterRegistry());

	CacheFixture(String prefix) {
		this.keys = new CacheKeys(SharedServers.uniqueName(prefix));
		this.connections.afterPropertiesSet();
		this.connections.start();
		this.redis.setConnectionFactory(this.connections);
		this.redis.setKeySerializer(RedisSerializer.string());
		this.redis.setValueSerializer(RedisSerializer.byteArray());
		this.redis.afterPropertiesSet();
		this.commands = new CacheCommands(this.connections, this.keys, Duration.ofMinutes(10), 100, Duration.ofSeconds(5));
		this.fills = new FillCommands(this.connections, this.keys);
	}

	/** A loader's answer for a row that does not exist. */
	Optional<Loaded> nothing() {
		this.loads.incrementAndGet();
		return Optional.empty();
	}

	/** A loader's answer for a row at {@code version}; its body names the version. */
	Optional<Loaded> row(long version) {
		this.loads.incrementAndGet();
		return Optional.of(new Loaded(("{\"version\":" + version + "}").getBytes(), version));
	}

	@Override
	public void close() {
		this.connections.destroy();
	}
}
