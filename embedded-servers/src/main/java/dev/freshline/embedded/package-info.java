/**
 * Real Postgres, Kafka (KRaft) and Redis servers (one, or a cluster of six) started without
 * Docker, for the local launcher and for the integration tests. Every server binds to 127.0.0.1 on a free ephemeral port, owns a
 * scratch directory that is deleted when it closes, and is stopped on a normal JVM exit. The
 * service environment is written here once ({@code ServiceEnvironment}, {@code DatabaseRole}):
 * the variables and roles the launcher and the tests hand to each service.
 */
@org.jspecify.annotations.NullMarked
package dev.freshline.embedded;
