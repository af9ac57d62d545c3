package dev.freshline.api.cache;

import java.time.Clock;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.freshline.model.Invalidation;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The NAIVE negative control on a real Redis: it serves what it stored, and it stores the stale
 * value that {@link ReadThroughCacheIntegrationTests} shows the fill protocol refusing.
 */
class NaiveCacheAsideIntegrationTests {

	private final CacheFixture fixture = new CacheFixture("naive");

	private final NaiveCacheAside cache = new NaiveCacheAside(this.fixture.redis, this.fixture.fills, this.fixture.hooks,
			this.fixture.metrics, Clock.systemUTC());

	@AfterEach
	void close() {
		this.fixture.close();
	}

	@Test
	void shouldServeItsOwnFillFromRedis() {
		String key = this.fixture.keys.patient(1);

		CacheRead first = this.cache.read(key, List.of(), this.fixture.expiry, () -> this.fixture.row(1));
		CacheRead second = this.cache.read(key, List.of(), this.fixture.expiry, () -> this.fixture.row(2));

		assertThat(first.outcome()).isEqualTo(CacheOutcome.MISS);
		assertThat(first.body()).hasValueSatisfying((body) -> assertThat(new String(body)).isEqualTo("{\"version\":1}"));
		assertThat(second.outcome()).as("served from the cache").isEqualTo(CacheOutcome.HIT);
		assertThat(second.body()).hasValueSatisfying((body) -> assertThat(new String(body)).isEqualTo("{\"version\":1}"));
		assertThat(this.fixture.loads).hasValue(1);
		assertThat(this.cache.peek(key)).isPresent();
	}

	@Test
	void shouldNotCacheNotFound() {
		String key = this.fixture.keys.patient(2);

		assertThat(this.cache.read(key, List.of(), this.fixture.expiry, this.fixture::nothing).body()).isEmpty();
		assertThat(this.cache.read(key, List.of(), this.fixture.expiry, this.fixture::nothing).body()).isEmpty();

		assertThat(this.fixture.loads).hasValue(2);
		assertThat(this.fixture.redis.hasKey(key)).isFalse();
	}

	@Test
	void negativeControlStoresAFillWhoseKeyWasInvalidatedWhileItLoaded() {
		String key = this.fixture.keys.patient(3);
		// the row changes to version 2 and is invalidated after this reader read version 1
		this.fixture.afterDatabaseRead.set(() -> this.fixture.commands.invalidate(List.of(new Invalidation(key, 2))));

		this.cache.read(key, List.of(), this.fixture.expiry, () -> this.fixture.row(1));

		assertThat(this.fixture.redis.hasKey(key)).as("without lease and floor the stale row lands").isTrue();
	}
}
