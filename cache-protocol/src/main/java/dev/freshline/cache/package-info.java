/**
 * The fill protocol in one place: its Lua scripts, the stored value format, and the commands
 * that send them. {@link dev.freshline.cache.FillCommands} is the reader's side (read or lease,
 * fill, release) that the API's read path drives; {@link dev.freshline.cache.CacheCommands} is
 * the write side, shared by every process that removes entries: the invalidator, the API's admin
 * operations and the ops tool. Invalidations run the invalidate script, pipelined; tags and
 * namespaces are invalidated from indexes and SCAN, never KEYS. The same code runs on a single
 * Redis and on a Redis Cluster: what concerns a server rather than a key (SCAN, the run-id check
 * of {@link dev.freshline.cache.ServerLifetime}) runs on each of the {@link dev.freshline.cache.Primaries}.
 */
@NullMarked
package dev.freshline.cache;

import org.jspecify.annotations.NullMarked;
