package dev.freshline.model;

import java.util.List;
import java.util.Optional;

/**
 * Kafka topic names. Change topics follow Debezium's {@code <topic.prefix>.<schema>.<table>}
 * convention so the connector can publish to {@code record.destination()} unchanged.
 */
public record Topics(String prefix) {

	private static final String SCHEMA = ".public.";

	/** Debezium's signal table ({@code signal.data.collection}), created by the migrations. */
	public static final String SIGNAL_TABLE = "debezium_signal";

	public Topics {
		CacheKeys.requireName("topic prefix", prefix);
	}

	public String changes(String table) {
		return this.prefix + SCHEMA + table;
	}

	/** One change topic per table with a rule, sorted by table. */
	public List<String> allChanges(RuleSet rules) {
		return rules.tables().keySet().stream().sorted().map(this::changes).toList();
	}

	/** The table a change topic carries, if {@code topic} is one of ours. */
	public Optional<String> tableOf(String topic) {
		String start = this.prefix + SCHEMA;
		return topic.startsWith(start) ? Optional.of(topic.substring(start.length())) : Optional.empty();
	}

	/**
	 * Debezium's signal table is captured too (its rows are how {@code ops resnapshot} reaches the
	 * connector), so its changes have a topic; no rule reads it.
	 */
	public String signals() {
		return changes(SIGNAL_TABLE);
	}

	public String deadLetter() {
		return this.prefix + ".invalidator.dlt";
	}

	/** Debezium's default heartbeat topic ({@code heartbeat.topics.prefix} + topic prefix). */
	public String heartbeat() {
		return "__debezium-heartbeat." + this.prefix;
	}
}
