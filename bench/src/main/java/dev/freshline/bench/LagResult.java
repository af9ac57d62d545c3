package dev.freshline.bench;

import java.util.List;
import java.util.Map;

/**
 * One lag step: commit -> key deleted percentiles, how late the load generator sent (an open loop
 * that cannot keep its schedule says so here), the per-hop split, and whether a backlog grew.
 */
record LagResult(String name, int rate, int updates, double achievedRate, int observed, int unobserved,
		Percentiles lagMs, Percentiles sendDelayMs, Map<String, Percentiles> hopsMs, BacklogFigures backlog) {

	/**
	 * In flight = committed but key not yet deleted, sampled every second of the step, with its
	 * least-squares growth per second; the invalidator group's Kafka lag at the same moments; how
	 * long after the last update the last delete came; and the least-squares growth of the updates'
	 * lag over the step (milliseconds per second of commit time), which a growing queue raises.
	 */
	record BacklogFigures(List<Long> inFlightSamples, double inFlightGrowthPerS, long inFlightAtLoadEnd,
			List<Long> invalidatorKafkaLagSamples, long invalidatorKafkaLagAtLoadEnd, double drainMs,
			double lagGrowthMsPerS) {
	}
}
