package dev.freshline.launcher;

import java.util.List;
import java.util.Map;

/**
 * What {@code .freshline/local-stack.json} tells scripts about a running stack. The passwords are
 * random per run and the file is readable by its owner only.
 */
record StackInfo(Postgres postgres, Kafka kafka, Redis redis, List<String> api, Map<String, Long> processes) {

	/** {@code user}/{@code password}: the schema owner; {@code signalUser}: the role ops resnapshot inserts signals as. */
	record Postgres(String jdbcUrl, String host, int port, String database, String user, String password,
			String signalUser, String signalPassword) {
	}

	record Kafka(String bootstrapServers) {
	}

	record Redis(String host, int port) {
	}
}
