package dev.freshline.bench;

import java.util.Arrays;

/** The percentiles every latency figure is reported with, in milliseconds; NaN when nothing was seen. */
public record Percentiles(int count, double p50, double p99, double p999, double max) {

	public static Percentiles of(double[] values) {
		if (values.length == 0) {
			return new Percentiles(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
		}
		double[] sorted = values.clone();
		Arrays.sort(sorted);
		return new Percentiles(sorted.length, at(sorted, 0.50), at(sorted, 0.99), at(sorted, 0.999),
				sorted[sorted.length - 1]);
	}

	/** Nearest rank: the smallest value at or above which p of the values lie. */
	private static double at(double[] sorted, double p) {
		return sorted[Math.max(0, Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1))];
	}
}
