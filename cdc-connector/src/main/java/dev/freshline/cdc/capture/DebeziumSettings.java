package dev.freshline.cdc.capture;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import dev.freshline.cdc.ConnectorProperties;
import dev.freshline.model.RuleSet;
import dev.freshline.model.TableRule;
import dev.freshline.model.Topics;

/** Turns {@link ConnectorProperties} into the engine's properties, with our defaults and why. */
final class DebeziumSettings {

	/** Debezium's column filters, current and legacy names: the rules decide the columns. */
	private static final List<String> COLUMN_FILTERS = List.of("column.include.list", "column.exclude.list",
			"column.whitelist", "column.blacklist");

	private DebeziumSettings() {
	}

	static Properties from(ConnectorProperties properties, RuleSet rules) {
		ConnectorProperties.Capture capture = properties.capture();
		ConnectorProperties.Database database = properties.database();
		Properties config = new Properties();
		config.setProperty("name", "freshline-cdc");
		config.setProperty("connector.class", "io.debezium.connector.postgresql.PostgresConnector");
		config.setProperty("topic.prefix", properties.topicPrefix());

		config.setProperty("offset.storage", "org.apache.kafka.connect.storage.FileOffsetBackingStore");
		config.setProperty("offset.storage.file.filename", capture.offsetFile().toString());
		// The slot's confirmed LSN only advances when offsets are flushed: flush often so WAL is
		// recycled quickly and a crash replays at most this much (replays are harmless deletes).
		config.setProperty("offset.flush.interval.ms", Long.toString(capture.offsetFlushInterval().toMillis()));

		config.setProperty("database.hostname", database.host());
		config.setProperty("database.port", Integer.toString(database.port()));
		config.setProperty("database.dbname", database.name());
		config.setProperty("database.user", database.user());
		config.setProperty("database.password", database.password() == null ? "" : database.password());

		config.setProperty("plugin.name", "pgoutput");
		config.setProperty("slot.name", capture.slotName());
		config.setProperty("publication.name", capture.publicationName());
		// The publication belongs to the schema migrations, so this role needs no owner rights.
		config.setProperty("publication.autocreate.mode", "disabled");
		// exactly the tables the rules name: the schema check at start verified they are published
		config.setProperty("table.include.list", tableList(rules));
		// Topics carry only the columns the rules read (key, tag and floor columns), so patient data,
		// and any column a table added by YAML brings, stays out of Kafka without a list to keep up.
		// The record key is the primary key whatever this list says (Debezium builds it unfiltered).
		config.setProperty("column.include.list", columnList(rules));
		// scripts/ops resnapshot inserts execute-snapshot signals here (an incremental snapshot of a table)
		config.setProperty("signal.enabled.channels", "source");
		config.setProperty("signal.data.collection", "public." + Topics.SIGNAL_TABLE);
		// An invalidator needs changes, not the rows that existed before it started.
		config.setProperty("snapshot.mode", "no_data");
		// The default skips TRUNCATE silently ('t'); every operation must reach the invalidator.
		config.setProperty("skipped.operations", "none");
		// Deletes carry the before image; a null tombstone after each adds nothing but traffic.
		config.setProperty("tombstones.on.delete", "false");

		config.setProperty("heartbeat.interval.ms", Long.toString(capture.heartbeatInterval().toMillis()));
		// A write of our own on each heartbeat lets the slot advance even when the captured tables are quiet.
		config.setProperty("heartbeat.action.query",
				"INSERT INTO cdc_heartbeat (id, beat_at) VALUES (1, now()) ON CONFLICT (id) DO UPDATE SET beat_at = excluded.beat_at");

		// Latency is 1-2x the poll interval; the default 500 ms would dominate commit -> evict.
		config.setProperty("poll.interval.ms", Long.toString(capture.pollInterval().toMillis()));
		config.setProperty("max.batch.size", "2048");
		config.setProperty("max.queue.size", "8192");
		config.setProperty("converter.schemas.enable", "false");

		// Retriable failures (database restarts, network) retry forever with back-off.
		config.setProperty("errors.max.retries", "-1");
		config.setProperty("errors.retry.delay.initial.ms", "300");
		config.setProperty("errors.retry.delay.max.ms", "10000");

		refuseColumnFilters(properties.debezium());
		properties.debezium().forEach(config::setProperty);
		return config;
	}

	/**
	 * Each column a rule reads, as Debezium's {@code <schema>.<table>.<column>} expressions, and
	 * every column of the signal table (Debezium reads a signal's id, type and data from its row).
	 */
	static String columnList(RuleSet rules) {
		Stream<String> ruleColumns = rules.tables()
			.values()
			.stream()
			.sorted(Comparator.comparing(TableRule::table))
			.flatMap((rule) -> rule.columnsRead().stream().sorted().map((column) -> "public\\." + rule.table() + "\\." + column));
		return Stream.concat(ruleColumns, Stream.of("public\\." + Topics.SIGNAL_TABLE + "\\..+"))
			.collect(Collectors.joining(","));
	}

	/**
	 * A passed-through column list would replace the one derived from the rules: a narrower one
	 * makes the invalidator miss key columns, a wider one (or an exclude list) lets patient data
	 * into Kafka. Refused at start; the rules file is where captured columns change.
	 */
	private static void refuseColumnFilters(Map<String, String> debezium) {
		for (String option : COLUMN_FILTERS) {
			if (debezium.containsKey(option)) {
				throw new IllegalArgumentException("freshline.cdc.debezium." + option + " is not accepted: the captured "
						+ "columns are derived from the rules (every key, tag and floor column), so change the rules "
						+ "file instead");
			}
		}
	}

	static String tableList(RuleSet rules) {
		// each entry is a regular expression matched against the whole name: escape the dot. The
		// signal table must be captured too, or Debezium filters its signals out with its rows.
		return Stream.concat(rules.tables().keySet().stream().sorted(), Stream.of(Topics.SIGNAL_TABLE))
			.map((table) -> "public\\." + table)
			.collect(Collectors.joining(","));
	}
}
