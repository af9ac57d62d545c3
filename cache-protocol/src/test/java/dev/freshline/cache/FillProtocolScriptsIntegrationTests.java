package dev.freshline.cache;

import java.util.List;

import io.lettuce.core.RedisClient;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.freshline.embedded.SharedServers;
import dev.freshline.model.CacheKeys;
import dev.freshline.model.Invalidation;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The three scripts of the fill protocol on a real Redis, one rule per test: what a read, a
 * fill and an invalidation may and may not do to a key, its lease and its floor.
 */
class FillProtocolScriptsIntegrationTests {

	private final CacheKeys keys = new CacheKeys(SharedServers.uniqueName("lua"));

	private final String key = this.keys.patient(1);

	private final RedisClient client = RedisClient
		.create("redis://" + SharedServers.get().redis().host() + ":" + SharedServers.get().redis().port());

	private final StatefulRedisConnection<String, String> connection = this.client.connect();

	private final RedisCommands<String, String> redis = this.connection.sync();

	@AfterEach
	void close() {
		this.connection.close();
		this.client.shutdown();
	}

	@Test
	void shouldLeaseToTheFirstMissAndReportBusyToTheNext() {
		assertThat(read("a")).containsExactly(LuaScripts.LEASED);
		assertThat(read("b")).containsExactly(LuaScripts.BUSY);
		assertThat(this.redis.pttl(this.keys.lease(this.key))).isBetween(1L, 2000L);
	}

	@Test
	void shouldStoreAFillOnlyForTheLeaseHolder() {
		read("a");

		assertThat(fill("b", 1)).as("not the holder").isZero();
		assertThat(fill("a", 1)).as("the holder").isEqualTo(1);
		assertThat(read("c")).containsExactly(LuaScripts.HIT, stored());
		assertThat(this.redis.exists(this.keys.lease(this.key))).as("lease given back by the fill").isZero();
	}

	@Test
	void shouldRefuseAFillOnceTheKeyWasInvalidated() {
		read("a");
		invalidate(2);

		assertThat(fill("a", 2)).isZero();
		assertThat(this.redis.exists(this.key)).isZero();
	}

	@Test
	void shouldRefuseAFillBelowTheFloorEvenWithAValidLease() {
		invalidate(5);
		read("a");

		assertThat(fill("a", 4)).isEqualTo(-1);
		assertThat(this.redis.exists(this.key)).isZero();
		read("b");
		assertThat(fill("b", 5)).as("the floor's own version is current").isEqualTo(1);
	}

	@Test
	void shouldKeepTheHighestFloorWhateverOrderInvalidationsArriveIn() {
		invalidate(7);
		invalidate(3);
		invalidate(7);

		assertThat(this.redis.get(this.keys.floor(this.key))).isEqualTo("7");
		assertThat(this.redis.pttl(this.keys.floor(this.key))).isPositive();
	}

	@Test
	void shouldLeaveCollectionsWithoutAFloor() {
		String list = this.keys.formulary(1);
		this.redis.set(list, "x");

		this.redis.eval(LuaScripts.INVALIDATE, ScriptOutputType.INTEGER,
				new String[] { list, this.keys.lease(list), this.keys.floor(list) }, Long.toString(Invalidation.NO_FLOOR), "60000");

		assertThat(this.redis.exists(list, this.keys.floor(list))).isZero();
	}

	@Test
	void shouldReleaseALeaseOnlyForItsHolder() {
		read("a");

		assertThat((Long) this.redis.eval(LuaScripts.RELEASE, ScriptOutputType.INTEGER,
				new String[] { this.keys.lease(this.key) }, "b")).isZero();
		assertThat((Long) this.redis.eval(LuaScripts.RELEASE, ScriptOutputType.INTEGER,
				new String[] { this.keys.lease(this.key) }, "a")).isEqualTo(1);
		assertThat(read("b")).containsExactly(LuaScripts.LEASED);
	}

	private List<Object> read(String token) {
		return this.redis.eval(LuaScripts.READ, ScriptOutputType.MULTI,
				new String[] { this.key, this.keys.lease(this.key) }, token, "2000", "0", "0");
	}

	private long fill(String token, long version) {
		return this.redis.eval(LuaScripts.FILL, ScriptOutputType.INTEGER,
				new String[] { this.key, this.keys.lease(this.key), this.keys.floor(this.key) }, token, stored(),
				Long.toString(version), "60000");
	}

	private void invalidate(long version) {
		this.redis.eval(LuaScripts.INVALIDATE, ScriptOutputType.INTEGER,
				new String[] { this.key, this.keys.lease(this.key), this.keys.floor(this.key) }, Long.toString(version),
				"60000");
	}

	private static String stored() {
		return "9999999999999{\"id\":1}";
	}
}
