/**
 * Baseline endpoints for {@code scripts/bench}: a no-op and a Postgres-only patient read, served by
 * the same process, web stack and connection pool as the cached read so that the ratios between
 * them measure the cache and nothing else. Off unless {@code freshline.bench.endpoints=true}.
 */
@NullMarked
package dev.freshline.api.bench;

import org.jspecify.annotations.NullMarked;
