/**
 * The invalidator service: a Kafka consumer group over the change topics that deletes, in
 * Redis, every key a committed row change affects, before it lets Kafka forget the change.
 */
@NullMarked
package dev.freshline.invalidator;

import org.jspecify.annotations.NullMarked;
