/**
 * Measurements against a running local stack: commit -> key deleted latency, the connector's
 * idle CPU, printed with the machine they were taken on. Numbers are reported, never asserted.
 */
@NullMarked
package dev.freshline.measure;

import org.jspecify.annotations.NullMarked;
