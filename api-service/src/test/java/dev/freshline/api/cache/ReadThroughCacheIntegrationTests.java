package dev.freshline.api.cache;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.freshline.api.ApiProperties;
import dev.freshline.model.Invalidation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/** The read path's own bookkeeping on a real Redis, outside any web request. */
class ReadThroughCacheIntegrationTests {

	private final CacheFixture fixture = new CacheFixture("rtc");

	private final ApiProperties.Cache settings = new ApiProperties.Cache(this.fixture.expiry, this.fixture.expiry,
			this.fixture.expiry, Duration.ofSeconds(2), Duration.ofMillis(500), Duration.ofMinutes(10),
			ApiProperties.FillProtocol.LEASED);

	private final ReadThroughCache cache = new ReadThroughCache(this.fixture.fills, this.fixture.commands, this.settings,
			this.fixture.hooks, this.fixture.metrics, Clock.systemUTC());

	@AfterEach
	void close() {
		this.fixture.close();
	}

	@Test
	void shouldGiveTheLeaseBackWhenTheLoadFails() {
		String key = this.fixture.keys.patient(1);

		assertThatThrownBy(() -> this.cache.read(key, this.fixture.expiry, () -> {
			throw new IllegalStateException("Postgres timed out");
		})).hasMessage("Postgres timed out");

		assertThat(this.fixture.redis.hasKey(this.fixture.keys.lease(key))).as("no lease left for others to wait on")
			.isFalse();
		assertThat(this.cache.read(key, this.fixture.expiry, () -> Optional.of(new Loaded("{}".getBytes(), 1))))
			.isPresent();
		assertThat(this.fixture.redis.hasKey(key)).as("the next reader leased and filled at once").isTrue();
	}

	@Test
	void shouldCacheNotFoundUntilTheRowIsCreated() {
		String key = this.fixture.keys.patient(2);

		assertThat(this.cache.read(key, this.fixture.expiry, this.fixture::nothing)).isEmpty();
		assertThat(this.cache.read(key, this.fixture.expiry, this.fixture::nothing)).as("served from the cache").isEmpty();
		assertThat(this.fixture.loads).hasValue(1);
		assertThat(this.cache.peek(key)).as("a cached 'not found' is no body to serve").isEmpty();

		// the INSERT's invalidation: version 1 becomes the floor
		this.fixture.commands.invalidate(List.of(new Invalidation(key, 1)));

		assertThat(this.cache.read(key, this.fixture.expiry, () -> this.fixture.row(1))).isPresent();
		assertThat(this.fixture.redis.hasKey(key)).isTrue();
	}

	@Test
	void shouldSayHowEachReadWasServed() {
		String key = this.fixture.keys.patient(4);

		CacheRead first = this.cache.read(key, List.of(), this.fixture.expiry, this.fixture::nothing);
		CacheRead second = this.cache.read(key, List.of(), this.fixture.expiry, this.fixture::nothing);

		assertThat(first.outcome()).as("loaded from Postgres and filled").isEqualTo(CacheOutcome.MISS);
		assertThat(second.outcome()).as("the cached 'not found'").isEqualTo(CacheOutcome.HIT);
		assertThat(second.body()).isEmpty();
	}

	@Test
	void shouldRefuseALateNotFoundFillOnceTheRowExists() {
		String key = this.fixture.keys.patient(3);
		// the reader saw no row; the row is created and invalidated before the reader fills
		this.fixture.afterDatabaseRead.set(() -> this.fixture.commands.invalidate(List.of(new Invalidation(key, 1))));

		assertThat(this.cache.read(key, this.fixture.expiry, this.fixture::nothing)).isEmpty();

		assertThat(this.fixture.redis.hasKey(key)).as("no stale 'not found' left behind").isFalse();
	}

	@Test
	void shouldRefuseAFillWhoseTagWasInvalidatedWhileItLoaded() {
		String key = this.fixture.keys.formulary(7);
		List<String> tags = List.of(this.fixture.keys.tagIndex("hospital:7"));
		this.fixture.afterDatabaseRead.set(() -> this.fixture.commands.invalidateTag("hospital:7"));

		this.cache.read(key, tags, this.fixture.expiry, () -> this.fixture.row(1));

		assertThat(this.fixture.redis.hasKey(key)).as("the registration let the tag invalidation kill the lease").isFalse();
	}

	@Test
	void negativeControlAnUnregisteredEntrySurvivesTheSameTagInvalidation() {
		String key = this.fixture.keys.formulary(8);
		this.fixture.afterDatabaseRead.set(() -> this.fixture.commands.invalidateTag("hospital:8"));

		this.cache.read(key, List.of(), this.fixture.expiry, () -> this.fixture.row(1));

		assertThat(this.fixture.redis.hasKey(key)).as("without registration the stale fill lands").isTrue();
	}

	@Test
	void shouldDropTheTagRegistrationOfARefusedFill() {
		String key = this.fixture.keys.formulary(10);
		String index = this.fixture.keys.tagIndex("hospital:10");
		// the key (not its tag) is invalidated while the reader loads: its fill is refused
		this.fixture.afterDatabaseRead
			.set(() -> this.fixture.commands.invalidate(List.of(new Invalidation(key, Invalidation.NO_FLOOR))));

		this.cache.read(key, List.of(index), this.fixture.expiry, () -> this.fixture.row(1));

		assertThat(this.fixture.redis.hasKey(key)).as("the fill was refused").isFalse();
		assertThat(this.fixture.redis.hasKey(index)).as("no member left for an entry that does not exist").isFalse();
	}

	@Test
	void shouldDropTheTagRegistrationOfAReleasedLease() {
		String key = this.fixture.keys.formulary(11);
		String index = this.fixture.keys.tagIndex("hospital:11");

		assertThatThrownBy(() -> this.cache.read(key, List.of(index), this.fixture.expiry, () -> {
			throw new IllegalStateException("Postgres timed out");
		})).hasMessage("Postgres timed out");

		assertThat(this.fixture.redis.hasKey(index)).as("no member left for an entry that was never filled").isFalse();
	}

	@Test
	void shouldRegisterAFilledEntryUnderItsTags() {
		String key = this.fixture.keys.formulary(9);
		String index = this.fixture.keys.tagIndex("hospital:9");

		this.cache.read(key, List.of(index), this.fixture.expiry, () -> this.fixture.row(1));
		assertThat(this.fixture.redis.hasKey(key)).isTrue();

		assertThat(this.fixture.commands.invalidateTag("hospital:9")).isEqualTo(1);
		assertThat(this.fixture.redis.hasKey(key)).isFalse();
	}

	@Test
	void shouldReadPostgresWithoutFillingOnceTheLeaseWaitRunsOut() {
		String key = this.fixture.keys.patient(20);
		String lease = this.fixture.keys.lease(key);
		// another reader holds the lease and never fills
		this.fixture.redis.opsForValue().set(lease, "another reader".getBytes(), Duration.ofMinutes(1));

		long started = System.nanoTime();
		Optional<byte[]> body = assertTimeoutPreemptively(Duration.ofSeconds(10),
				() -> this.cache.read(key, this.fixture.expiry, () -> this.fixture.row(1)));

		assertThat(body).as("served from Postgres").hasValueSatisfying((json) -> assertThat(new String(json)).isEqualTo("{\"version\":1}"));
		assertThat(Duration.ofNanos(System.nanoTime() - started)).as("it waited for the holder's fill first")
			.isGreaterThanOrEqualTo(this.settings.leaseWait());
		assertThat(this.fixture.loads).hasValue(1);
		assertThat(this.fixture.redis.hasKey(key)).as("a reader without the lease fills nothing").isFalse();
		assertThat(new String(this.fixture.redis.opsForValue().get(lease))).as("the holder's lease is untouched")
			.isEqualTo("another reader");
	}

	@Test
	void shouldTakeTheLeaseAndFillWhenTheHolderLostItWhileThisReaderWaited() {
		String key = this.fixture.keys.patient(21);
		String lease = this.fixture.keys.lease(key);
		this.fixture.redis.opsForValue().set(lease, "a reader that died".getBytes(), Duration.ofMinutes(1));
		// the holder's lease expires (or it gave it back) while this reader waits
		this.fixture.beforeLeaseWait.set(() -> this.fixture.redis.delete(lease));

		Optional<byte[]> body = this.cache.read(key, this.fixture.expiry, () -> this.fixture.row(1));

		assertThat(body).isPresent();
		assertThat(this.fixture.loads).hasValue(1);
		assertThat(this.fixture.redis.hasKey(key)).as("the waiter took the lease over and filled").isTrue();
		assertThat(this.fixture.redis.hasKey(lease)).as("and gave it back with its fill").isFalse();
	}

	@Test
	void shouldReleaseTheLeaseAndFillNothingWhenTheTagRegistrationFails() {
		String key = this.fixture.keys.formulary(12);
		String index = this.fixture.keys.tagIndex("hospital:12");
		// an index Redis cannot add to (WRONGTYPE): the registration fails
		this.fixture.redis.opsForValue().set(index, "not an index".getBytes());

		CacheRead read = this.cache.read(key, List.of(index), this.fixture.expiry, () -> this.fixture.row(1));

		assertThat(read.body()).as("served from Postgres").isPresent();
		assertThat(read.outcome()).as("Redis held no value").isEqualTo(CacheOutcome.MISS);
		assertThat(this.fixture.redis.hasKey(key)).as("an entry no tag invalidation could find is not stored").isFalse();
		assertThat(this.fixture.redis.hasKey(this.fixture.keys.lease(key))).as("no lease left for others to wait on")
			.isFalse();
		this.fixture.redis.delete(index);
	}
}
