/** Patient reads: {@code GET /patients/{id}} through the cache, and the table access behind it. */
@NullMarked
package dev.freshline.api.patient;

import org.jspecify.annotations.NullMarked;
