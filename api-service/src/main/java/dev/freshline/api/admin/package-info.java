/**
 * Admin writes to Postgres. They do not touch the cache: the change stream invalidates every
 * write, whoever made it, so the API's own writes take the same path as raw SQL.
 */
@NullMarked
package dev.freshline.api.admin;

import org.jspecify.annotations.NullMarked;
