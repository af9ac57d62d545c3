/**
 * What every Freshline service agrees on: the shape of a row change, the Redis key scheme, the
 * Kafka topic names and the rules that turn a change into the keys it affects. Pure records and
 * helpers, no Spring beans and no I/O, so the API that fills a key and the invalidator that
 * deletes it can never disagree on its name.
 */
@NullMarked
package dev.freshline.model;

import org.jspecify.annotations.NullMarked;
