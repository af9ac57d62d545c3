package dev.freshline.model;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Nines from counts, and no more nines than the sample supports when nothing was found. */
class ConsistencyTests {

	@Test
	void shouldGiveTheMeasuredShareAsNines() {
		Consistency consistency = new Consistency(1_000_000, 10);

		assertThat(consistency.nines()).isCloseTo(5.0, within(1e-9));
		assertThat(consistency.bounded()).isFalse();
	}

	@Test
	void shouldClaimOnlyWhatTheRuleOfThreeSupportsWhenNoneWasFound() {
		Consistency consistency = new Consistency(3_000, 0);

		assertThat(consistency.nines()).as("below 3/3000 = 1e-3 at 95%").isCloseTo(3.0, within(1e-9));
		assertThat(consistency.bounded()).isTrue();
		assertThat(new Consistency(2, 0).nines()).as("too few checks to claim anything").isZero();
	}

	@Test
	void shouldDescribeABoundWithTheSampleItRestsOn() {
		assertThat(new Consistency(3_000, 0).describe()).isEqualTo("at least 3.0 (none found in 3000 checks, 95% confidence)");
		assertThat(new Consistency(1_000_000, 10).describe()).isEqualTo("5.00");
	}
}
