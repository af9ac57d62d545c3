/**
 * {@code ops inspect}: compares cached entries with Postgres by id and version (the audit of
 * cache-protocol), prints what differs without patient data, and with {@code --repair}
 * invalidates the stale entries by the fill protocol.
 */
@NullMarked
package dev.freshline.ops.inspect;

import org.jspecify.annotations.NullMarked;
