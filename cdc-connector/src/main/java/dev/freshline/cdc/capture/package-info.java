/**
 * Runs the Debezium embedded engine: builds its configuration, keeps it running (restarting
 * with back-off after a failure), owes the invalidator a flush whenever a start may have lost
 * changes (an unclean stop, a failed engine, no offsets, a new or lost slot), works out from
 * Debezium's offsets the commit up to which everything is published (the watermark markers) and
 * reports its progress to the health endpoint.
 */
@NullMarked
package dev.freshline.cdc.capture;

import org.jspecify.annotations.NullMarked;
