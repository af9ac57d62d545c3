package dev.freshline.cdc.capture;

import java.util.Map;
import java.util.Properties;

import org.junit.jupiter.api.Test;

import dev.freshline.cdc.ConnectorProperties;
import dev.freshline.cdc.TestConnectorProperties;
import dev.freshline.model.RuleSet;

import static org.assertj.core.api.Assertions.assertThat;

class DebeziumSettingsTests {

	private static final RuleSet RULES = RuleSet.loadDefault();

	@Test
	void shouldCaptureEveryOperationOfBothTablesWithPgoutputAndNoSnapshot() {
		Properties settings = DebeziumSettings.from(properties(Map.of()), RULES);

		assertThat(settings).containsEntry("plugin.name", "pgoutput")
			.containsEntry("skipped.operations", "none")
			.containsEntry("table.include.list", "public\\.formulary_item,public\\.patient,public\\.debezium_signal")
			.containsEntry("snapshot.mode", "no_data")
			.containsEntry("publication.autocreate.mode", "disabled")
			.containsEntry("slot.name", "slot_x")
			.containsEntry("poll.interval.ms", "10")
			.containsEntry("heartbeat.interval.ms", "1000");
	}

	@Test
	void shouldKeepPatientIdentifyingColumnsOutOfEvents() {
		Properties settings = DebeziumSettings.from(properties(Map.of()), RULES);

		assertThat(settings.getProperty("column.exclude.list")).contains("public.patient.name", "public.patient.mrn",
				"public.patient.date_of_birth");
	}

	@Test
	void shouldLetDebeziumOptionsPassedThroughWinOverDefaults() {
		Properties settings = DebeziumSettings.from(properties(Map.of("poll.interval.ms", "500", "max.batch.size", "64")), RULES);

		assertThat(settings).containsEntry("poll.interval.ms", "500").containsEntry("max.batch.size", "64");
	}

	@Test
	void shouldNotPrintThePassword() {
		assertThat(properties(Map.of()).database().toString()).doesNotContain("s3cret");
	}

	private static ConnectorProperties properties(Map<String, String> debezium) {
		return TestConnectorProperties.with(debezium);
	}
}
