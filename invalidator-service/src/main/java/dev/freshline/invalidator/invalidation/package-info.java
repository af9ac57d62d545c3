/**
 * From a change record to deleted keys: parsing Debezium's JSON, applying the invalidation
 * rules, deleting in Redis, flushing whole namespaces when a change cannot be mapped, and the
 * error handling that retries transient failures forever and dead-letters malformed input.
 */
@NullMarked
package dev.freshline.invalidator.invalidation;

import org.jspecify.annotations.NullMarked;
