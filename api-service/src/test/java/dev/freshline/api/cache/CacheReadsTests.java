package dev.freshline.api.cache;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The expiry jitter both cache readers apply to a fill's TTL. */
class CacheReadsTests {

	@Test
	void shouldKeepTheTtlWhenThereIsNoJitter() {
		assertThat(CacheReads.jittered(60_000, 0)).isEqualTo(60_000);
	}

	@Test
	void shouldSpreadTheTtlBelowItByAtMostTheJitter() {
		for (int i = 0; i < 1_000; i++) {
			assertThat(CacheReads.jittered(60_000, 0.25)).isBetween(45_000L, 60_000L);
		}
	}
}
