package dev.freshline.cache;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.data.redis.connection.RedisClusterConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import dev.freshline.embedded.RedisCluster;
import dev.freshline.embedded.RedisServer;
import dev.freshline.embedded.SharedServers;
import dev.freshline.model.CacheKeys;
import dev.freshline.model.Invalidation;
import dev.freshline.model.Namespace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A primary killed under load, its replica promoted without the writes of its last seconds:
 * readers run the fill protocol against a versioned "database" throughout, writers raise versions
 * and invalidate (retrying until Redis answers, as the delivery rule does) until the kill, and a
 * guard runs the restart check every 100 ms as the invalidator does. Once everything is quiet no
 * cached entry may be older than the database. Without the guard (the negative control) the
 * promoted replica keeps entries whose deletes its primary acknowledged and it never received.
 */
class RedisClusterFailoverUnderLoadIntegrationTests {

	private static final int IDS = 100;

	private final CacheKeys keys = new CacheKeys(SharedServers.uniqueName("fail"));

	/** The database: each id's current version. */
	private final AtomicLongArray versions = new AtomicLongArray(IDS + 1);

	@ParameterizedTest(name = "restart check {0}")
	@ValueSource(booleans = { true, false })
	void shouldLeaveNothingStaleAfterAFailoverUnderLoadOnlyWithTheRestartCheck(boolean guarded) throws Exception {
		for (int id = 1; id <= IDS; id++) {
			this.versions.set(id, 1);
		}
		// the default user stays open for the clients; replicas log in as the cluster's own user
		try (RedisCluster cluster = RedisCluster.startWithUsers("user default on nopass ~* &* +@all\n")) {
			LettuceConnectionFactory connections = connections(cluster);
			ExecutorService load = Executors.newFixedThreadPool(5);
			ScheduledExecutorService guard = Executors.newSingleThreadScheduledExecutor();
			try {
				FillCommands fills = new FillCommands(connections, this.keys);
				CacheCommands commands = new CacheCommands(connections, this.keys, Duration.ofMinutes(1), 50,
						Duration.ofSeconds(2));
				ServerLifetime lifetime = new ServerLifetime(connections, this.keys);
				lifetime.reconcile((changed) -> {
				});
				AtomicInteger flushes = new AtomicInteger();
				if (guarded) {
					guard.scheduleWithFixedDelay(() -> {
						try {
							lifetime.reconcile((changed) -> {
								commands.flush(Namespace.PATIENT, (removed) -> {
								});
								flushes.incrementAndGet();
							});
						}
						catch (RuntimeException ex) {
							// Redis failing over: checked again at the next run, as the invalidator does
						}
					}, 0, 100, TimeUnit.MILLISECONDS);
				}

				AtomicBoolean reading = new AtomicBoolean(true);
				AtomicBoolean writing = new AtomicBoolean(true);
				AtomicLong reads = new AtomicLong();
				AtomicLong writes = new AtomicLong();
				List<java.util.concurrent.Future<?>> readers = new ArrayList<>();
				for (int i = 0; i < 3; i++) {
					readers.add(load.submit(() -> read(fills, reading, reads)));
				}
				List<java.util.concurrent.Future<?>> writers = new ArrayList<>();
				for (int i = 0; i < 2; i++) {
					writers.add(load.submit(() -> write(commands, writing, writes)));
				}

				RedisServer victim = cluster.primaries().get(1);
				await().atMost(Duration.ofSeconds(30)).until(() -> writes.get() > 200 && reads.get() > 500);
				cluster.cutReplication(victim);
				long writesBeforeCut = writes.get();
				await().atMost(Duration.ofSeconds(30)).until(() -> writes.get() > writesBeforeCut + 300);
				writing.set(false);
				for (java.util.concurrent.Future<?> writer : writers) {
					writer.get(30, TimeUnit.SECONDS);
				}
				long readsBeforeKill = reads.get();

				cluster.failover(victim);

				// readers go on through the failover and after it
				await().atMost(Duration.ofSeconds(30)).until(() -> reads.get() > readsBeforeKill + 500);
				if (guarded) {
					await().atMost(Duration.ofSeconds(30)).until(() -> flushes.get() > 0);
				}
				reading.set(false);
				for (java.util.concurrent.Future<?> reader : readers) {
					reader.get(30, TimeUnit.SECONDS);
				}
				guard.shutdown();
				assertThat(guard.awaitTermination(10, TimeUnit.SECONDS)).isTrue();

				List<String> stale = stale(connections);
				if (guarded) {
					assertThat(stale).as("stale after quiescence, %d reads, %d writes", reads.get(), writes.get()).isEmpty();
				}
				else {
					assertThat(stale).as("the promoted replica's entries whose deletes it never received").isNotEmpty();
				}
			}
			finally {
				guard.shutdownNow();
				load.shutdownNow();
				connections.destroy();
			}
		}
	}

	/** A reader: read or lease, and on a lease load the database's version and fill it. Redis failures fail open. */
	private void read(FillCommands fills, AtomicBoolean reading, AtomicLong reads) {
		while (reading.get()) {
			int id = ThreadLocalRandom.current().nextInt(1, IDS + 1);
			String key = this.keys.patient(id);
			String token = UUID.randomUUID().toString();
			long now = System.currentTimeMillis();
			try {
				if (fills.read(key, token, Duration.ofSeconds(1), Duration.ZERO, now).outcome() == ReadReply.Outcome.LEASED) {
					long version = this.versions.get(id);
					fills.fill(key, token, ("v" + version).getBytes(StandardCharsets.UTF_8), version, now + 600_000, 600_000);
				}
				reads.incrementAndGet();
			}
			catch (RuntimeException ex) {
				// Redis failing over: a reader serves the database and fills nothing
			}
		}
	}

	/** A writer: a new version committed, then its invalidation applied, retried until Redis answered. */
	private void write(CacheCommands commands, AtomicBoolean writing, AtomicLong writes) {
		while (writing.get()) {
			int id = ThreadLocalRandom.current().nextInt(1, IDS + 1);
			long version = this.versions.incrementAndGet(id);
			while (true) {
				try {
					commands.invalidate(List.of(new Invalidation(this.keys.patient(id), version)));
					break;
				}
				catch (RuntimeException ex) {
					// retried until Redis answers: nothing acknowledged upstream before
				}
			}
			writes.incrementAndGet();
		}
	}

	/** Every cached entry whose version is older than the database's, on every primary. */
	private List<String> stale(LettuceConnectionFactory connections) {
		List<String> stale = new ArrayList<>();
		Primaries.with(connections, (primaries) -> {
			for (Primaries.Primary primary : primaries) {
				primary.scan(this.keys.namespacePattern(Namespace.PATIENT), 500, (key) -> {
					if (key.endsWith("}")) {
						byte[] stored = primary.commands().get(key.getBytes(StandardCharsets.UTF_8));
						if (stored != null) {
							String body = new String(CachedValue.body(stored), StandardCharsets.UTF_8);
							int id = Integer.parseInt(key.substring(key.indexOf('{') + 1, key.length() - 1));
							if (Long.parseLong(body.substring(1)) < this.versions.get(id)) {
								stale.add(key + " cached " + body + ", database v" + this.versions.get(id));
							}
						}
					}
					return true;
				});
			}
			return null;
		});
		return stale;
	}

	/** As the services: a topology refreshed on redirects and every half second, commands bounded by a short timeout. */
	private static LettuceConnectionFactory connections(RedisCluster cluster) {
		ClusterClientOptions options = ClusterClientOptions.builder()
			.topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
				.enableAllAdaptiveRefreshTriggers()
				.enablePeriodicRefresh(Duration.ofMillis(500))
				.build())
			.build();
		LettuceConnectionFactory factory = new LettuceConnectionFactory(
				new RedisClusterConfiguration(Arrays.asList(cluster.nodeAddresses().split(","))),
				LettuceClientConfiguration.builder().clientOptions(options).commandTimeout(Duration.ofSeconds(1)).build());
		factory.afterPropertiesSet();
		factory.start();
		return factory;
	}
}
