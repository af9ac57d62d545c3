package dev.freshline.launcher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * What {@code .freshline/local-stack.json} tells scripts about a running stack. The passwords and
 * tokens are new per run and the file is readable by its owner only. {@code management}: each
 * service's actuator base URL, by service name ({@code api-1}, {@code invalidator}, ...), on loopback.
 */
record StackInfo(Postgres postgres, Kafka kafka, Redis redis, List<String> api, Map<String, String> management,
		Auth auth, Map<String, Long> processes) {

	StackInfo withProcesses(Map<String, Long> pids) {
		// in the order they were started, as first written
		return new StackInfo(this.postgres, this.kafka, this.redis, this.api, this.management, this.auth,
				Collections.unmodifiableMap(new LinkedHashMap<>(pids)));
	}

	/**
	 * Writes this as {@code file}, created readable by its owner only before any password is in it.
	 * The file is replaced in one rename, because it is rewritten while scripts read it (a restarted
	 * service's pid).
	 */
	Path writeTo(Path file) throws IOException {
		Path next = file.resolveSibling(file.getFileName() + ".next");
		Files.deleteIfExists(next);
		Files.createFile(next, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
		JsonMapper json = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();
		Files.writeString(next, json.writeValueAsString(this));
		Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
		return file;
	}

	/**
	 * {@code user}/{@code password}: the schema owner; {@code signalUser}: the role ops resnapshot
	 * inserts signals as; {@code inspectUser}: the role ops inspect reads ids and versions as.
	 */
	record Postgres(String jdbcUrl, String host, int port, String database, String user, String password,
			String signalUser, String signalPassword, String inspectUser, String inspectPassword) {
	}

	/** {@code users}: each component's SCRAM login, by component ({@code connector}, {@code ops}, ...). */
	record Kafka(String bootstrapServers, String saslMechanism, Map<String, Login> users) {
	}

	/**
	 * {@code users}: each Redis ACL user of the run ({@code api}, {@code invalidator}, {@code ops},
	 * {@code harness}). {@code clusterNodes}: every node's {@code host:port} when Redis is a cluster
	 * ({@code host} and {@code port} are then its first node's), else empty.
	 */
	record Redis(String host, int port, List<String> clusterNodes, Map<String, Login> users) {
	}

	/** A user and its password, on Redis or Kafka; printed without the password. */
	record Login(String user, String password) {

		@Override
		public String toString() {
			return "Login[" + this.user + "]";
		}
	}

	/**
	 * Bearer tokens for the API: {@code readerToken} has patients.read and formulary.read,
	 * {@code adminToken} admin as well; both expire at {@code expiresAt} (ISO-8601).
	 */
	record Auth(String readerToken, String adminToken, String expiresAt) {

		@Override
		public String toString() {
			return "Auth[expiresAt=" + this.expiresAt + "]";
		}
	}
}
