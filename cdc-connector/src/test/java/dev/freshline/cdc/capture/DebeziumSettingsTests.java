package dev.freshline.cdc.capture;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.freshline.cdc.ConnectorProperties;
import dev.freshline.cdc.TestConnectorProperties;
import dev.freshline.model.RuleSet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
	void shouldCarryOnlyTheColumnsTheRulesReadAndEverySignalColumn() {
		Properties settings = DebeziumSettings.from(properties(Map.of()), RULES);

		assertThat(settings.getProperty("column.include.list").split(",")).containsExactly(
				"public\\.formulary_item\\.hospital_id", "public\\.patient\\.id", "public\\.patient\\.version",
				"public\\.patient\\.ward", "public\\.debezium_signal\\..+");
		assertThat(settings).doesNotContainKey("column.exclude.list");
	}

	@Test
	void shouldCarryOnlyRuleColumnsOfATableAddedByConfiguration(@TempDir Path directory) throws Exception {
		Path rules = directory.resolve("rules.yml");
		Files.writeString(rules, """
				namespaces:
				  note: text(300)
				  hospital: integer
				tags:
				  hospital: integer
				tables:
				  note:
				    keys:
				      - key: "note:{label}"
				        floor: version
				    tags: ["hospital:{hospital_id}"]
				""");

		Properties settings = DebeziumSettings.from(properties(Map.of()), RuleSet.load(rules.toString()));

		assertThat(settings.getProperty("column.include.list").split(",")).containsExactly(
				"public\\.note\\.hospital_id", "public\\.note\\.label", "public\\.note\\.version",
				"public\\.debezium_signal\\..+");
	}

	@ParameterizedTest
	@ValueSource(strings = { "column.include.list", "column.exclude.list", "column.whitelist", "column.blacklist" })
	void shouldRefuseAPassthroughThatWouldReplaceTheColumnsDerivedFromTheRules(String option) {
		assertThatThrownBy(() -> DebeziumSettings.from(properties(Map.of(option, "public\\.patient\\..*")), RULES))
			.isInstanceOf(IllegalArgumentException.class)
			.hasMessageContaining(option)
			.hasMessageContaining("rules");
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
