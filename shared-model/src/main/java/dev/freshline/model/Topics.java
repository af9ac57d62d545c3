package dev.freshline.model;

import java.util.List;

/**
 * Kafka topic names. Change topics follow Debezium's {@code <topic.prefix>.<schema>.<table>}
 * convention so the connector can publish to {@code record.destination()} unchanged.
 */
public record Topics(String prefix) {

	public Topics {
		CacheKeys.requireName("topic prefix", prefix);
	}

	public String changes(CapturedTable table) {
		return this.prefix + ".public." + table.tableName();
	}

	public List<String> allChanges() {
		return java.util.Arrays.stream(CapturedTable.values()).map(this::changes).toList();
	}

	public String deadLetter() {
		return this.prefix + ".invalidator.dlt";
	}

	/** Debezium's default heartbeat topic ({@code heartbeat.topics.prefix} + topic prefix). */
	public String heartbeat() {
		return "__debezium-heartbeat." + this.prefix;
	}
}
