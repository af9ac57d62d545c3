/**
 * {@code ops replay}: re-applies the invalidations of a change topic's records between two
 * positions, with its own consumer (assign and seek, nothing committed), so the invalidator's
 * group never moves. Used after Redis was restored from an old snapshot or a rule was fixed.
 */
@NullMarked
package dev.freshline.ops.replay;

import org.jspecify.annotations.NullMarked;
