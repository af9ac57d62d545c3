/**
 * The invalidator's figures for the API's status page, published to Redis every second.
 */
@NullMarked
package dev.freshline.invalidator.status;

import org.jspecify.annotations.NullMarked;
