package dev.freshline.cache;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import org.springframework.data.redis.connection.DataType;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

import dev.freshline.embedded.SharedServers;
import dev.freshline.model.CacheKeys;
import dev.freshline.model.Invalidation;
import dev.freshline.model.Namespace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Against a real Redis, a single server and a cluster of three primaries: the write side's
 * commands, their batching and their idempotence. On the cluster, the keys of one batch, one tag
 * or one namespace fall into many slots on every primary ({@link RedisClusterCommandsIntegrationTests}
 * shows they do).
 */
@ParameterizedClass
@EnumSource(RedisBackend.class)
class CacheCommandsIntegrationTests {

	private final LettuceConnectionFactory connections;

	private final StringRedisTemplate redis;

	private final CacheKeys keys = new CacheKeys(SharedServers.uniqueName("cc"));

	private final CacheCommands commands;

	CacheCommandsIntegrationTests(RedisBackend backend) {
		this.connections = backend.connections();
		this.redis = new StringRedisTemplate(this.connections);
		this.commands = new CacheCommands(this.connections, this.keys, Duration.ofMinutes(1), 7, Duration.ofSeconds(5));
	}

	@Test
	void shouldInvalidateEveryKeyAcrossBatchesAndRaiseTheirFloors() {
		List<Invalidation> invalidations = new ArrayList<>();
		for (int id = 1; id <= 30; id++) {
			String key = this.keys.patient(id);
			this.redis.opsForValue().set(key, "cached");
			this.redis.opsForValue().set(this.keys.lease(key), "token");
			invalidations.add(new Invalidation(key, 5));
		}

		this.commands.invalidate(invalidations);

		for (Invalidation invalidation : invalidations) {
			assertThat(this.redis.hasKey(invalidation.key())).isFalse();
			assertThat(this.redis.hasKey(this.keys.lease(invalidation.key()))).isFalse();
			assertThat(this.redis.opsForValue().get(this.keys.floor(invalidation.key()))).isEqualTo("5");
		}
	}

	@Test
	void shouldReloadTheScriptWhenRedisForgotIt() {
		String key = this.keys.patient(1);
		this.commands.invalidate(List.of(new Invalidation(key, 1)));
		this.redis.execute((org.springframework.data.redis.core.RedisCallback<Object>) (connection) -> {
			connection.scriptingCommands().scriptFlush();
			return null;
		});
		this.redis.opsForValue().set(key, "cached");

		this.commands.invalidate(List.of(new Invalidation(key, 2)));

		assertThat(this.redis.hasKey(key)).isFalse();
		assertThat(this.redis.opsForValue().get(this.keys.floor(key))).isEqualTo("2");
	}

	@Test
	void shouldReadBackEachValueWithItsFloorAcrossBatchesAndAfterRedisForgotTheScript() {
		List<String> keys = new ArrayList<>();
		for (int id = 1; id <= 10; id++) {
			keys.add(this.keys.patient(id));
		}
		this.redis.opsForValue().set(keys.get(0), "0000000000000{\"id\":1,\"version\":3}");
		this.redis.opsForValue().set(this.keys.floor(keys.get(0)), "3");
		this.redis.opsForValue().set(this.keys.floor(keys.get(9)), "8");
		this.redis.execute((org.springframework.data.redis.core.RedisCallback<Object>) (connection) -> {
			connection.scriptingCommands().scriptFlush();
			return null;
		});

		List<CacheCommands.Inspection> seen = this.commands.inspect(keys);

		assertThat(seen).extracting(CacheCommands.Inspection::key).containsExactlyElementsOf(keys);
		assertThat(new String(seen.get(0).value())).endsWith("\"version\":3}");
		assertThat(seen.get(0).floor()).isEqualTo(3);
		assertThat(seen.get(1).value()).as("nothing cached").isNull();
		assertThat(seen.get(1).floor()).as("no floor").isEqualTo(-1);
		assertThat(seen.get(9).value()).isNull();
		assertThat(seen.get(9).floor()).isEqualTo(8);
	}

	@Test
	void shouldInvalidateEveryTaggedEntryAndKeepRegistrationsMadeAfterwards() {
		String index = this.keys.tagIndex("hospital:7");
		List<String> tagged = IntStream.rangeClosed(1, 20).mapToObj((id) -> this.keys.formulary(id)).toList();
		for (String key : tagged) {
			this.redis.opsForValue().set(key, "cached");
			this.commands.register(List.of(index), key, "read-" + key, Duration.ofMinutes(1));
		}
		String bystander = this.keys.formulary(99);
		this.redis.opsForValue().set(bystander, "cached");

		assertThat(this.commands.invalidateTag("hospital:7")).isEqualTo(20);

		assertThat(tagged).allSatisfy((key) -> assertThat(this.redis.hasKey(key)).isFalse());
		assertThat(this.redis.hasKey(bystander)).isTrue();
		assertThat(members(index)).as("handled members are removed").isEmpty();
		this.commands.register(List.of(index), tagged.get(0), "a-later-read", Duration.ofMinutes(1));
		assertThat(members(index)).containsExactly(tagged.get(0) + "|a-later-read");
		assertThat(this.redis.getExpire(index)).isPositive();
	}

	/**
	 * Measured on a running stack: 200 misses of one formulary entry, deleted between the reads,
	 * left 200 members in its tag's index. Only the newest registration of a key can name a live
	 * entry (a read registers only after taking the key's lease, which it gets only when no value
	 * is cached), so the older ones must go.
	 */
	@Test
	void shouldKeepTheRegistrationOfTheReadThatHoldsTheLeaseWhenAStalledReadRegistersAfterIt() {
		// read A took the lease and stalled; its lease expired, read B took it and registered.
		// Then A registers, finds its fill refused and removes its own member: B's must survive,
		// or a tag invalidation would miss the entry B stores
		String index = this.keys.tagIndex("hospital:1");
		String key = this.keys.formulary(1);
		this.commands.register(List.of(index), key, "read-b", Duration.ofMinutes(1));
		this.commands.register(List.of(index), key, "read-a", Duration.ofMinutes(1));
		this.commands.unregister(List.of(index), key, "read-a");

		assertThat(members(index)).containsExactly(key + "|read-b");
	}

	@Test
	void shouldDropMembersPastTheirExpiryWhenTheNextEntryRegisters() {
		String index = this.keys.tagIndex("hospital:2");
		for (int id = 1; id <= 100; id++) {
			this.commands.register(List.of(index), this.keys.formulary(id), "read", Duration.ofMillis(1));
		}
		String live = this.keys.formulary(101);

		// by Redis' clock the 100 entries expire a millisecond after they registered
		await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
			this.commands.register(List.of(index), live, "read", Duration.ofMinutes(1));
			assertThat(members(index)).containsExactly(live + "|read");
		});
	}

	/**
	 * Expiry is scored by Redis' clock: what the API host's clock says cannot prune another
	 * host's live registration. A registration scores now (Redis TIME) plus the entry's lifetime.
	 */
	@Test
	void shouldScoreARegistrationByRedisClock() {
		String index = this.keys.tagIndex("hospital:7");
		long before = redisMillis();

		this.commands.register(List.of(index), this.keys.formulary(1), "read", Duration.ofMinutes(1));

		long after = redisMillis();
		Double score = this.redis.opsForZSet().score(index, this.keys.formulary(1) + "|read");
		assertThat(score).isNotNull();
		assertThat(score.longValue()).isBetween(before + 60_000, after + 60_000);
	}

	/** Empties the script cache of every primary, as a restart would. */
	private void forgetScripts() {
		Primaries.with(this.connections, (primaries) -> {
			primaries.forEach((primary) -> primary.commands().scriptFlush());
			return null;
		});
	}

	private long redisMillis() {
		Long millis = this.redis.execute((org.springframework.data.redis.core.RedisCallback<Long>) (connection) -> connection.serverCommands().time());
		assertThat(millis).isNotNull();
		return millis;
	}

	@Test
	void shouldStillInvalidateEveryLiveEntryOfABoundedIndex() {
		String index = this.keys.tagIndex("hospital:3");
		List<String> live = IntStream.rangeClosed(1, 20).mapToObj((id) -> this.keys.formulary(id)).toList();
		for (int read = 1; read <= 10; read++) {
			for (String key : live) {
				this.commands.register(List.of(index), key, "read-" + read, Duration.ofMinutes(1));
				if (read < 10) {
					// reads 1 to 9 stored nothing (their fills were refused) and said so
					this.commands.unregister(List.of(index), key, "read-" + read);
				}
			}
		}
		live.forEach((key) -> this.redis.opsForValue().set(key, "cached"));
		assertThat(members(index)).hasSize(20);

		assertThat(this.commands.invalidateTag("hospital:3")).isEqualTo(20);

		assertThat(live).allSatisfy((key) -> assertThat(this.redis.hasKey(key)).isFalse());
		assertThat(members(index)).isEmpty();
	}

	@Test
	void shouldDropTheMemberOfAReadThatStoredNothing() {
		String index = this.keys.tagIndex("hospital:4");
		this.commands.register(List.of(index), this.keys.formulary(1), "kept", Duration.ofMinutes(1));
		this.commands.register(List.of(index), this.keys.formulary(2), "refused", Duration.ofMinutes(1));

		this.commands.unregister(List.of(index), this.keys.formulary(2), "refused");

		assertThat(members(index)).containsExactly(this.keys.formulary(1) + "|kept");
	}

	/** An index written by the version before sorted sets is still invalidated, and converted by the next registration. */
	@Test
	void shouldHandleAnIndexLeftAsAPlainSet() {
		String index = this.keys.tagIndex("hospital:5");
		this.redis.opsForSet().add(index, this.keys.formulary(1) + "|old-read", this.keys.formulary(2) + "|old-read");
		this.redis.opsForValue().set(this.keys.formulary(1), "cached");

		this.commands.register(List.of(index), this.keys.formulary(3), "new-read", Duration.ofMinutes(1));
		assertThat(this.redis.type(index)).isEqualTo(DataType.ZSET);
		assertThat(members(index)).hasSize(3);
		assertThat(this.commands.invalidateTag("hospital:5")).isEqualTo(3);
		assertThat(this.redis.hasKey(this.keys.formulary(1))).isFalse();

		String legacy = this.keys.tagIndex("hospital:6");
		this.redis.opsForSet().add(legacy, this.keys.formulary(6) + "|old-read");
		this.redis.opsForValue().set(this.keys.formulary(6), "cached");
		assertThat(this.commands.invalidateTag("hospital:6")).isEqualTo(1);
		assertThat(this.redis.hasKey(this.keys.formulary(6))).isFalse();
		assertThat(this.redis.hasKey(legacy)).isFalse();
	}

	@Test
	void shouldFlushValuesLeasesAndFloorsOfOneNamespaceOnly() {
		for (int id = 1; id <= 25; id++) {
			String key = this.keys.patient(id);
			this.redis.opsForValue().set(key, "cached");
			this.redis.opsForValue().set(this.keys.lease(key), "token");
			this.redis.opsForValue().set(this.keys.floor(key), "3");
		}
		String other = this.keys.formulary(1);
		this.redis.opsForValue().set(other, "cached");
		List<Long> progress = new ArrayList<>();

		long removed = this.commands.flush(Namespace.PATIENT, progress::add);

		assertThat(removed).isEqualTo(75);
		assertThat(this.redis.keys(this.keys.namespacePattern(Namespace.PATIENT))).isEmpty();
		assertThat(this.redis.hasKey(other)).isTrue();
		assertThat(progress).as("progress after each batch of 7").hasSizeGreaterThan(2).last().isEqualTo(75L);
	}

	/** The members of a tag index, whatever type of Redis collection holds them. */
	private List<String> members(String index) {
		if (this.redis.type(index) == DataType.SET) {
			return List.copyOf(this.redis.opsForSet().members(index));
		}
		return List.copyOf(this.redis.opsForZSet().range(index, 0, -1));
	}
}
