/**
 * The cache's write side, shared by every process that removes entries: the invalidator, the
 * API's admin operations and the ops tool. Invalidations run the fill protocol's invalidate
 * script, pipelined; tags and namespaces are invalidated from indexes and SCAN, never KEYS.
 */
@NullMarked
package dev.freshline.cache;

import org.jspecify.annotations.NullMarked;
