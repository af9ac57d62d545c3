/**
 * The API service: patient and formulary reads through Redis (cache-aside, fail-open), admin
 * writes to Postgres, and the schema, which it owns through Flyway.
 */
@NullMarked
package dev.freshline.api;

import org.jspecify.annotations.NullMarked;
