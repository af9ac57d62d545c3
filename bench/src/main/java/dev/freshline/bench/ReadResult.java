package dev.freshline.bench;

/**
 * One read scenario's run on one instance: the reads per second that answered 2xx (a failed read
 * is not a read), their latencies, and the reads that failed, counted apart.
 */
record ReadResult(String scenario, String instance, int concurrency, double readsPerS, Percentiles latencyMs, long errors) {
}
