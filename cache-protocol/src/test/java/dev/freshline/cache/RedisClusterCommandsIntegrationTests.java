package dev.freshline.cache;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import dev.freshline.embedded.SharedServers;
import dev.freshline.model.CacheKeys;
import dev.freshline.model.Invalidation;
import dev.freshline.model.Namespace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What only a Redis Cluster can get wrong, with the controls that show each test could fail: a
 * script's keys must share a slot (the hash tag is what makes them), one batch of invalidations
 * reaches keys on every primary, and a namespace lives on every primary, so a flush that scans
 * one node leaves entries behind.
 */
class RedisClusterCommandsIntegrationTests {

	private final CacheKeys keys = new CacheKeys(SharedServers.uniqueName("rc"));

	private final LettuceConnectionFactory connections = RedisBackend.CLUSTER.connections();

	private final RedisBackend.RawRedis raw = RedisBackend.CLUSTER.raw();

	private final RedisClusterCommands<String, String> redis = this.raw.commands();

	private final CacheCommands commands = new CacheCommands(this.connections, this.keys, Duration.ofMinutes(1), 7,
			Duration.ofSeconds(5));

	@AfterEach
	void close() {
		this.raw.close();
	}

	@Test
	void shouldRunTheProtocolsScriptsOnTheHashTagsSlotAndRefuseKeysWithoutIt() {
		String key = this.keys.patient(1);
		String[] tagged = { key, this.keys.lease(key), this.keys.floor(key) };
		assertThat(IntStream.range(0, tagged.length).map((i) -> slot(tagged[i])).distinct()).hasSize(1);

		assertThat((Long) this.redis.eval(LuaScripts.INVALIDATE, ScriptOutputType.INTEGER, tagged, "3", "60000")).isEqualTo(1);
		assertThat(this.redis.get(this.keys.floor(key))).isEqualTo("3");

		// negative control: the same script on the same names without braces spans slots
		String bare = key.replace("{", "").replace("}", "");
		String[] untagged = { bare, bare + ":lease", bare + ":floor" };
		assertThat(IntStream.range(0, untagged.length).map((i) -> slot(untagged[i])).distinct().count()).isGreaterThan(1);
		assertThatThrownBy(() -> this.redis.eval(LuaScripts.INVALIDATE, ScriptOutputType.INTEGER, untagged, "3", "60000"))
			.isInstanceOf(RedisCommandExecutionException.class)
			.hasMessageContaining("CROSSSLOT");
	}

	@Test
	void shouldInvalidateKeysOnEveryPrimaryInOneBatch() {
		List<Invalidation> invalidations = new ArrayList<>();
		for (int id = 1; id <= 60; id++) {
			String key = this.keys.patient(id);
			this.redis.set(key, "cached");
			this.redis.set(this.keys.lease(key), "token");
			invalidations.add(new Invalidation(key, 4));
		}
		assertThat(keysPerPrimary(this.keys.namespacePattern(Namespace.PATIENT)))
			.as("the batch spans every primary")
			.hasSize(3)
			.allSatisfy((primary, count) -> assertThat(count).isPositive());

		this.commands.invalidate(invalidations);

		for (Invalidation invalidation : invalidations) {
			assertThat(this.redis.exists(invalidation.key(), this.keys.lease(invalidation.key()))).isZero();
			assertThat(this.redis.get(this.keys.floor(invalidation.key()))).isEqualTo("4");
		}
	}

	@Test
	void shouldInvalidateATagWhoseEntriesLiveOnEveryPrimary() {
		String index = this.keys.tagIndex("hospital:7");
		List<String> tagged = IntStream.rangeClosed(1, 30).mapToObj(this.keys::formulary).toList();
		for (String key : tagged) {
			this.redis.set(key, "cached");
			this.commands.register(List.of(index), key, "read-" + key, Duration.ofMinutes(1));
		}
		assertThat(keysPerPrimary(this.keys.namespacePattern(Namespace.FORMULARY))).hasSize(3);

		assertThat(this.commands.invalidateTag("hospital:7")).isEqualTo(30);

		assertThat(tagged).allSatisfy((key) -> assertThat(this.redis.exists(key)).isZero());
		assertThat(this.redis.exists(index)).as("every member handled and removed").isZero();
	}

	@Test
	void shouldFlushANamespaceFromEveryPrimary() {
		for (int id = 1; id <= 40; id++) {
			String key = this.keys.patient(id);
			this.redis.set(key, "cached");
			this.redis.set(this.keys.floor(key), "2");
		}
		String other = this.keys.formulary(1);
		this.redis.set(other, "cached");
		String pattern = this.keys.namespacePattern(Namespace.PATIENT);
		Map<String, Integer> before = keysPerPrimary(pattern);
		// negative control: the keys are spread, so a SCAN of any one node would leave some behind
		assertThat(before).hasSize(3).allSatisfy((primary, count) -> assertThat(count).isBetween(1, 79));

		long removed = this.commands.flush(Namespace.PATIENT, (soFar) -> {
		});

		assertThat(removed).isEqualTo(80);
		assertThat(keysPerPrimary(pattern)).isEmpty();
		assertThat(this.redis.exists(other)).isEqualTo(1);
	}

	/** How many keys matching {@code pattern} each primary holds, by SCAN on that primary alone. */
	private Map<String, Integer> keysPerPrimary(String pattern) {
		Map<String, Integer> counts = new HashMap<>();
		Primaries.with(this.connections, (primaries) -> {
			for (Primaries.Primary primary : primaries) {
				primary.scan(pattern, 100, (key) -> {
					counts.merge(primary.name(), 1, Integer::sum);
					return true;
				});
			}
			return null;
		});
		return counts;
	}

	private int slot(String key) {
		return this.redis.clusterKeyslot(key).intValue();
	}
}
