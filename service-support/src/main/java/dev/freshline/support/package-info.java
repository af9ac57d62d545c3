/**
 * What the two Kafka services share and shared-model may not hold (Spring, Kafka and JDBC types):
 * their topic declarations and settings, and the schema check at start, connecting to Postgres
 * and reading its catalogs. Neither service imports the other; both import this.
 */
@NullMarked
package dev.freshline.support;

import org.jspecify.annotations.NullMarked;
