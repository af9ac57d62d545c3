package dev.freshline.bench;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

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
	void shouldTrendTheLagOverEveryUpdateSoAPollsSwingAveragesOut() {
		// 100/s for 5 s through a 500 ms poll: each update waits for the next poll, 0 to 500 ms
		long[] committed = new long[500];
		double[] steady = new double[500];
		double[] queueing = new double[500];
		for (int i = 0; i < 500; i++) {
			committed[i] = i * 10 * MS;
			steady[i] = 500 - (i * 10) % 500 + 20;
			// the same, behind a queue that adds 200 ms of wait every second
			queueing[i] = steady[i] + 0.2 * i * 10;
		}

		// the swing's own slope, spread over ten polls, leaves about 10 ms per s: far under the 50
		// a step's lag must grow by to count as behind
		assertThat(LagStep.lagTrend(committed, steady)).isCloseTo(0, within(15.0));
		assertThat(LagStep.lagTrend(committed, queueing)).isCloseTo(200, within(15.0));
		assertThat(LagStep.lagTrend(new long[1], new double[1])).isNaN();
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
