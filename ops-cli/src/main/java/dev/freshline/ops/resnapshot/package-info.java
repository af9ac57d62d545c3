/** {@code ops resnapshot}: an incremental snapshot of a table through Debezium's signal table. */
@NullMarked
package dev.freshline.ops.resnapshot;

import org.jspecify.annotations.NullMarked;
