package dev.freshline.bench.chaos;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.freshline.model.Invalidation;

/**
 * Each patient read's staleness (I2), from the reads and the commits a run recorded: the read's
 * start minus the commit of the oldest write it does not reflect among those whose commit had
 * completed before the read started; 0 for a read that reflects every such write. The oldest, not
 * the newest: a value superseded 3 s ago and written again 10 ms ago has been stale for 3 s, and
 * that is what the freshness fence bounds. The same definition as the torture checker's.
 */
final class Staleness {

	/** The version a read of a missing row (404) carries. */
	static final long NOT_FOUND = -1;

	private Staleness() {
	}

	/** Milliseconds per answered patient read (200 or 404), sorted ascending. */
	static double[] of(Collection<ChaosLoad.Read> reads, Collection<ChaosLoad.Write> writes) {
		Map<Long, List<ChaosLoad.Write>> byPatient = new HashMap<>();
		writes.forEach((write) -> byPatient.computeIfAbsent(write.id(), (id) -> new ArrayList<>()).add(write));
		double[] staleness = reads.stream()
			.filter(ChaosLoad.Read::answeredPatient)
			.mapToDouble((read) -> of(read, byPatient.getOrDefault(read.id(), List.of())))
			.toArray();
		Arrays.sort(staleness);
		return staleness;
	}

	static double of(ChaosLoad.Read read, List<ChaosLoad.Write> writes) {
		long seen = seen(read, writes);
		long oldest = Long.MAX_VALUE;
		for (ChaosLoad.Write write : writes) {
			if (write.version() > seen && write.committedNanos() < read.startNanos()) {
				oldest = Math.min(oldest, write.committedNanos());
			}
		}
		return (oldest == Long.MAX_VALUE) ? 0 : (read.startNanos() - oldest) / 1e6;
	}

	/**
	 * The version a read saw. A 404 counts as the delete if a delete of the id had started before
	 * the read ended (ids are never reused), else as "not created yet" (0).
	 */
	private static long seen(ChaosLoad.Read read, List<ChaosLoad.Write> writes) {
		if (read.version() != NOT_FOUND) {
			return read.version();
		}
		return writes.stream()
			.anyMatch((write) -> write.version() == Invalidation.DELETED && write.startNanos() < read.endNanos())
					? Invalidation.DELETED : 0;
	}
}
