/**
 * The cdc-connector service: runs Debezium's embedded Postgres connector and publishes every
 * committed change of the captured tables to Kafka, acknowledging a change to Debezium (and so
 * letting Postgres recycle its WAL) only after Kafka acknowledged it.
 */
@NullMarked
package dev.freshline.cdc;

import org.jspecify.annotations.NullMarked;
