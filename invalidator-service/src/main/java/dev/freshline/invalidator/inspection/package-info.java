/**
 * The consistency inspector: after each applied change and a grace period, it reads back the
 * keys the change invalidated and reports, counts and repairs any cached entry older than the
 * change, so that "consistent within T" is measured, not assumed.
 */
@NullMarked
package dev.freshline.invalidator.inspection;

import org.jspecify.annotations.NullMarked;
