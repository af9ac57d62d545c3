/**
 * The ward census: {@code GET /wards/{ward}/patients}, cached under {@code ward:{ward}} and
 * evicted by the before and after image of every patient change, so a patient who moves
 * leaves the old ward's list at once.
 */
@NullMarked
package dev.freshline.api.ward;

import org.jspecify.annotations.NullMarked;
