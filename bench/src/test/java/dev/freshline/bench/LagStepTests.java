package dev.freshline.bench;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class LagStepTests {

	private static final long MS = 1_000_000L;

	@Test
	void shouldCountAnUnobservedDeleteAsLagUntilTheBenchStoppedWaiting() {
		// ten updates committed 1 ms apart; the deletes of the last three never arrive
		long[] committed = new long[10];
		long[] deleted = new long[10];
		for (int i = 0; i < 10; i++) {
			committed[i] = i * MS;
			deleted[i] = (i < 7) ? committed[i] + 5 * MS : LagStep.UNOBSERVED;
		}
		long gaveUp = 10_000 * MS;

		Percentiles lag = Percentiles.of(LagStep.lagsMs(committed, deleted, gaveUp));

		assertThat(lag.count()).isEqualTo(10);
		assertThat(lag.p50()).isEqualTo(5.0);
		assertThat(lag.p99()).isEqualTo(10_000.0 - 7);
		assertThat(lag.max()).isEqualTo(10_000.0 - 7);
	}

	@Test
	void shouldMatchEachUpdateToTheFirstDeleteOfItsKeyAfterItWasSent() {
		long[] ids = { 1, 2, 1, 3 };
		long[] sent = { 10, 20, 30, 40 };
		Map<String, List<Long>> deletes = Map.of("k1", List.of(15L, 35L), "k2", List.of(5L));

		long[] deleted = LagStep.deletedAt(ids, sent, deletes, (id) -> "k" + id);

		// patient 2's only delete came before its update was sent, patient 3 has none
		assertThat(deleted).containsExactly(15, LagStep.UNOBSERVED, 35, LagStep.UNOBSERVED);
	}
}
