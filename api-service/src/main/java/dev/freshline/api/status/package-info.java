/**
 * The status page: one HTML page on the management port, refreshed every second, with this
 * instance's staleness and hit, miss and bypass rates and the invalidators' commit-to-delete
 * percentiles and consistency figures.
 */
@NullMarked
package dev.freshline.api.status;

import org.jspecify.annotations.NullMarked;
