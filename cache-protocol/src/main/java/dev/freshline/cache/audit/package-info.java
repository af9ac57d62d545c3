/**
 * Checks of what the cache holds against what Postgres holds: the torture checker and
 * {@code scripts/chaos} once the system is quiet, and {@code scripts/ops inspect} on demand.
 * {@link dev.freshline.cache.audit.CachedEntryAudit} compares cached values with their rows by id
 * and version, every namespace or one of them, and names each stale entry.
 */
@NullMarked
package dev.freshline.cache.audit;

import org.jspecify.annotations.NullMarked;
