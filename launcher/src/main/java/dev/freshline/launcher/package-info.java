/**
 * The local launcher: real Postgres, Kafka and Redis servers without Docker, then the
 * cdc-connector, the invalidator and two API instances as separate JVMs, configured only through
 * the environment variables a deployment would use.
 */
@NullMarked
package dev.freshline.launcher;

import org.jspecify.annotations.NullMarked;
