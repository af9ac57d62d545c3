/**
 * Runs the Debezium embedded engine: builds its configuration, keeps it running (restarting
 * with back-off after a failure) and reports its progress to the health endpoint.
 */
@NullMarked
package dev.freshline.cdc.capture;

import org.jspecify.annotations.NullMarked;
