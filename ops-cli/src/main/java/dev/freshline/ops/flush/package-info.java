/**
 * {@code ops flush}: removes a whole namespace (SCAN + UNLINK) or every entry of a tag, the
 * repair when the change stream cannot say which keys are stale.
 */
@NullMarked
package dev.freshline.ops.flush;

import org.jspecify.annotations.NullMarked;
