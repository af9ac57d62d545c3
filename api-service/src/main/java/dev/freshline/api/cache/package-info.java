/**
 * Cache-aside over Redis that fails open: a Redis that is down or slow costs a Postgres read,
 * never an error. Values are stored as the JSON bytes that are served, so a hit is returned
 * without being parsed or re-serialised. The fill protocol itself (scripts, stored format,
 * commands) is the cache-protocol module's; this package holds the API's policy around it.
 */
@NullMarked
package dev.freshline.api.cache;

import org.jspecify.annotations.NullMarked;
