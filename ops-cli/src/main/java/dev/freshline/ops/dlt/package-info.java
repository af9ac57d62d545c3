/**
 * {@code ops dlt list|redrive}: shows what the invalidator dead-lettered (where it came from and
 * why, never the payload) and re-applies it once the cause is fixed. Redrive tracks its
 * progress in its own group, which never passes a record that still fails.
 */
@NullMarked
package dev.freshline.ops.dlt;

import org.jspecify.annotations.NullMarked;
