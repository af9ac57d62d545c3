/**
 * Admin writes to Postgres. Each invalidates what it changed right after its commit, so the
 * writer reads its own write on any instance; the change stream remains the guarantee for
 * every writer, raw SQL included.
 */
@NullMarked
package dev.freshline.api.admin;

import org.jspecify.annotations.NullMarked;
