/**
 * {@code scripts/ops}: the command-line tool for repairing the cache after an incident. This
 * package holds the entry point, how endpoints are found (flags, environment, the local stack's
 * file), the clients, and what the commands share: positions in a topic, applying a batch of
 * change records to Redis, flushing a namespace, progress and tables. Each command lives in its
 * own package.
 */
@NullMarked
package dev.freshline.ops;

import org.jspecify.annotations.NullMarked;
