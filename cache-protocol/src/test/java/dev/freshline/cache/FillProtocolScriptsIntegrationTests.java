package dev.freshline.cache;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import dev.freshline.embedded.SharedServers;
import dev.freshline.model.CacheKeys;
import dev.freshline.model.Invalidation;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The scripts of the fill protocol on a real Redis, a single server and a cluster of three
 * primaries, sent through the module's commands, one rule per test: what a read, a fill and an
 * invalidation may and may not do to a key, its lease and its floor. On the cluster every script
 * call runs on the one slot its keys share.
 */
@ParameterizedClass
@EnumSource(RedisBackend.class)
class FillProtocolScriptsIntegrationTests {

	private static final long FAR_DEADLINE = 9_999_999_999_999L;

	private final CacheKeys keys = new CacheKeys(SharedServers.uniqueName("lua"));

	private final String key = this.keys.patient(1);

	private final RedisBackend.RawRedis raw;

	/** Redis as it is, to check what the commands left behind. */
	private final RedisClusterCommands<String, String> redis;

	private final FillCommands fills;

	private final CacheCommands commands;

	FillProtocolScriptsIntegrationTests(RedisBackend backend) {
		this.raw = backend.raw();
		this.redis = this.raw.commands();
		this.fills = new FillCommands(backend.connections(), this.keys);
		this.commands = new CacheCommands(backend.connections(), this.keys, Duration.ofMinutes(1), 10,
				Duration.ofSeconds(5));
	}

	@AfterEach
	void close() {
		this.raw.close();
	}

	@Test
	void shouldRemoveAValueFilledBehindTheFlushCursorByALeaseTakenBeforeTheFlush() {
		assertThat(read("before-flush").outcome()).isEqualTo(ReadReply.Outcome.LEASED);
		String lease = this.keys.lease(this.key);
		String token = this.redis.get(lease);

		this.commands.flush(this.keys.namespaceOf(this.key), (removed) -> {
		}, () -> {
			// what a fill meets when the first pass's cursor had passed its value's slot but not
			// yet its lease's: the lease still there, nothing scanned after it. It fills.
			this.redis.set(lease, token);
			assertThat(fill("before-flush", 1)).isEqualTo(FillOutcome.STORED);
		});

		assertThat(this.redis.exists(this.key)).as("a value loaded before the flush survived it").isZero();
	}

	@Test
	void shouldLeaseToTheFirstMissAndReportBusyToTheNext() {
		assertThat(read("a").outcome()).isEqualTo(ReadReply.Outcome.LEASED);
		assertThat(read("b").outcome()).isEqualTo(ReadReply.Outcome.BUSY);
		assertThat(this.redis.pttl(this.keys.lease(this.key))).isBetween(1L, 2000L);
	}

	@Test
	void shouldStoreAFillOnlyForTheLeaseHolder() {
		read("a");

		assertThat(fill("b", 1)).as("not the holder").isEqualTo(FillOutcome.LEASE_LOST);
		assertThat(fill("a", 1)).as("the holder").isEqualTo(FillOutcome.STORED);
		ReadReply hit = read("c");
		assertThat(hit.outcome()).isEqualTo(ReadReply.Outcome.HIT);
		assertThat(new String(hit.stored(), StandardCharsets.UTF_8)).isEqualTo(stored());
		assertThat(new String(hit.body(), StandardCharsets.UTF_8)).isEqualTo(json());
		assertThat(this.redis.exists(this.keys.lease(this.key))).as("lease given back by the fill").isZero();
	}

	@Test
	void shouldRefuseAFillOnceTheKeyWasInvalidated() {
		read("a");
		invalidate(2);

		assertThat(fill("a", 2)).isEqualTo(FillOutcome.LEASE_LOST);
		assertThat(this.redis.exists(this.key)).isZero();
	}

	@Test
	void shouldRefuseAFillBelowTheFloorEvenWithAValidLease() {
		invalidate(5);
		read("a");

		assertThat(fill("a", 4)).isEqualTo(FillOutcome.BELOW_FLOOR);
		assertThat(this.redis.exists(this.key)).isZero();
		read("b");
		assertThat(fill("b", 5)).as("the floor's own version is current").isEqualTo(FillOutcome.STORED);
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

		this.commands.invalidate(List.of(new Invalidation(list, Invalidation.NO_FLOOR)));

		assertThat(this.redis.exists(list, this.keys.floor(list))).isZero();
	}

	@Test
	void shouldReleaseALeaseOnlyForItsHolder() {
		read("a");

		assertThat(this.fills.release(this.key, "b")).isFalse();
		assertThat(this.fills.release(this.key, "a")).isTrue();
		assertThat(read("b").outcome()).isEqualTo(ReadReply.Outcome.LEASED);
	}

	@Test
	void shouldSlideAHitsTtlButNeverPastTheDeadlineInItsHeader() {
		long now = System.currentTimeMillis();
		read("a");
		this.fills.fill(this.key, "a", bytes(json()), 1, now + 30_000, 1_000);

		this.fills.read(this.key, "b", Duration.ofSeconds(2), Duration.ofSeconds(10), now);
		// the script counts from the caller's now, so only the time since the read is lost
		assertThat(this.redis.pttl(this.key)).as("slid to the sliding TTL").isBetween(5_000L, 10_000L);

		this.fills.read(this.key, "c", Duration.ofSeconds(2), Duration.ofMinutes(1), now);
		assertThat(this.redis.pttl(this.key)).as("capped at the deadline").isBetween(25_000L, 30_000L);
	}

	@Test
	void shouldLeaveTheTtlOfAHitPastItsDeadlineAlone() {
		long now = System.currentTimeMillis();
		read("a");
		this.fills.fill(this.key, "a", bytes(json()), 1, now + 30_000, 5_000);

		// a reader whose clock is past the deadline: nothing is left to slide to
		ReadReply late = this.fills.read(this.key, "b", Duration.ofSeconds(2), Duration.ofMinutes(1), now + 31_000);

		assertThat(late.outcome()).isEqualTo(ReadReply.Outcome.HIT);
		assertThat(this.redis.pttl(this.key)).as("neither extended nor expired at once").isBetween(1L, 5_000L);
	}

	private ReadReply read(String token) {
		return this.fills.read(this.key, token, Duration.ofMillis(2000), Duration.ZERO, 0);
	}

	private FillOutcome fill(String token, long version) {
		return this.fills.fill(this.key, token, bytes(json()), version, FAR_DEADLINE, 60000);
	}

	private void invalidate(long version) {
		this.commands.invalidate(List.of(new Invalidation(this.key, version)));
	}

	private static String json() {
		return "{\"id\":1}";
	}

	private static String stored() {
		return "9999999999999{\"id\":1}";
	}

	private static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}
}
