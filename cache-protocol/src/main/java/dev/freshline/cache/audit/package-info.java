/**
 * Checks of what the cache holds against what Postgres holds, for tools that run once the system
 * is quiet: the torture checker, {@code scripts/chaos}, and later a consistency inspector.
 * {@link dev.freshline.cache.audit.CachedEntryAudit} compares every cached value of every
 * namespace with its rows.
 */
@NullMarked
package dev.freshline.cache.audit;

import org.jspecify.annotations.NullMarked;
