package dev.freshline.bench.chaos;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.freshline.model.Invalidation;

import static org.assertj.core.api.Assertions.assertThat;

class StalenessTests {

	private static final long MS = 1_000_000;

	@Test
	void shouldBeZeroForAReadThatReflectsEveryCompletedWrite() {
		ChaosLoad.Write v2 = write(7, 2, 100);

		assertThat(Staleness.of(read(7, 2, 150), List.of(v2))).isZero();
	}

	@Test
	void shouldIgnoreAWriteThatCommittedAfterTheReadStarted() {
		ChaosLoad.Write v2 = write(7, 2, 200);

		assertThat(Staleness.of(read(7, 1, 150), List.of(v2))).isZero();
	}

	@Test
	void shouldMeasureFromTheOldestWriteTheReadMissed() {
		// v1 returned at 1000 ms: superseded by v2 at 100 ms and by v3 at 900 ms, so stale for 900 ms
		List<ChaosLoad.Write> writes = List.of(write(7, 2, 100), write(7, 3, 900));

		assertThat(Staleness.of(read(7, 1, 1000), writes)).isEqualTo(900.0);
		assertThat(Staleness.of(read(7, 2, 1000), writes)).isEqualTo(100.0);
	}

	@Test
	void shouldCountANotFoundAsTheDeleteOnceTheDeleteStarted() {
		ChaosLoad.Write delete = new ChaosLoad.Write(7, Invalidation.DELETED, 90 * MS, 100 * MS);

		assertThat(Staleness.of(read(7, Staleness.NOT_FOUND, 150), List.of(delete))).isZero();
		// a 404 before the row existed, then created at 100 ms: a read at 150 ms that still says 404 missed it
		assertThat(Staleness.of(read(7, Staleness.NOT_FOUND, 150), List.of(write(7, 1, 100)))).isEqualTo(50.0);
	}

	@Test
	void shouldOnlyMeasureAnsweredPatientReadsAndSortThem() {
		List<ChaosLoad.Write> writes = List.of(write(7, 2, 100), write(8, 5, 100));
		ChaosLoad.Read timedOut = new ChaosLoad.Read(0, "patient", 7, ChaosLoad.TIMED_OUT, Staleness.NOT_FOUND, 400 * MS,
				405 * MS, "none");
		ChaosLoad.Read list = new ChaosLoad.Read(1, "ward", 0, 200, Staleness.NOT_FOUND, 400 * MS, 405 * MS, "hit");

		assertThat(Staleness.of(List.of(read(7, 1, 300), read(8, 4, 200), read(8, 5, 300), timedOut, list), writes))
			.containsExactly(0.0, 100.0, 200.0);
	}

	private static ChaosLoad.Write write(long id, long version, long committedMillis) {
		return new ChaosLoad.Write(id, version, (committedMillis - 1) * MS, committedMillis * MS);
	}

	private static ChaosLoad.Read read(long id, long version, long startMillis) {
		return new ChaosLoad.Read(0, "patient", id, (version == Staleness.NOT_FOUND) ? 404 : 200, version, startMillis * MS,
				(startMillis + 2) * MS, "hit");
	}
}
