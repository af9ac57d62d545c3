/**
 * {@code ops resnapshot}: flushes a table's namespaces, then asks for an incremental snapshot of
 * the table through Debezium's signal table.
 */
@NullMarked
package dev.freshline.ops.resnapshot;

import org.jspecify.annotations.NullMarked;
