/**
 * {@code ops reset-group}: moves the invalidator's own consumer group to a time or an offset,
 * only while the group is empty, as a dry run unless {@code --execute} is given.
 */
@NullMarked
package dev.freshline.ops.group;

import org.jspecify.annotations.NullMarked;
