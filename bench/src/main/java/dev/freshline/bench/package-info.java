/**
 * {@code scripts/bench}: starts the embedded stack, measures Freshline's headline figures beside
 * the baselines a user would pick instead (stock Debezium settings, a no-op endpoint, a
 * Postgres-only endpoint) in the same run on the same machine, and writes them to
 * {@code bench/results}. Figures are reported, never asserted; one that could not be measured is
 * NaN, with the reason in the report. The same probes serve {@code scripts/measure-lag} against a
 * running stack and {@code scripts/bench-replay} against the ops tool ({@link BenchMain}).
 */
@NullMarked
package dev.freshline.bench;

import org.jspecify.annotations.NullMarked;
