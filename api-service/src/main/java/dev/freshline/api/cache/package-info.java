/**
 * Cache-aside over Redis that fails open: a Redis that is down or slow costs a Postgres read,
 * never an error. Values are stored as the JSON bytes that are served, so a hit is returned
 * without being parsed or re-serialised.
 */
@NullMarked
package dev.freshline.api.cache;

import org.jspecify.annotations.NullMarked;
