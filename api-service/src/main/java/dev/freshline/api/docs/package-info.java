/**
 * The API's OpenAPI description, served at {@code /v3/api-docs} with Swagger UI: springdoc reads
 * the controllers, and this package adds what it cannot see there (scopes, error answers, the
 * {@code Freshline-*} headers, the JSON the cached reads send as bytes, synthetic examples).
 */
@NullMarked
package dev.freshline.api.docs;

import org.jspecify.annotations.NullMarked;
