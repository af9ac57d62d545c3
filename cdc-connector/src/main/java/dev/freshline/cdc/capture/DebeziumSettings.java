package dev.freshline.cdc.capture;

import java.util.Properties;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import dev.freshline.cdc.ConnectorProperties;
import dev.freshline.model.RuleSet;
import dev.freshline.model.Topics;

/** Turns {@link ConnectorProperties} into the engine's properties, with our defaults and why. */
final class DebeziumSettings {

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
		// Keys need ids, wards and hospitals, never names or birth dates: patient data stays out of Kafka.
		config.setProperty("column.exclude.list",
				"public.patient.mrn,public.patient.name,public.patient.date_of_birth");
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

		properties.debezium().forEach(config::setProperty);
		return config;
	}

	static String tableList(RuleSet rules) {
		// each entry is a regular expression matched against the whole name: escape the dot. The
		// signal table must be captured too, or Debezium filters its signals out with its rows.
		return Stream.concat(rules.tables().keySet().stream().sorted(), Stream.of(Topics.SIGNAL_TABLE))
			.map((table) -> "public\\." + table)
			.collect(Collectors.joining(","));
	}
}
