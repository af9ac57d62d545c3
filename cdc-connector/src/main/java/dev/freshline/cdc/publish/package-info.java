/**
 * Publishes Debezium's records to Kafka and declares the topics they go to; a record is marked
 * processed only after Kafka acknowledged it (acks=all, idempotent producer).
 */
@NullMarked
package dev.freshline.cdc.publish;

import org.jspecify.annotations.NullMarked;
