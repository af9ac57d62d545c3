package dev.freshline.cdc;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import dev.freshline.model.RuleSet;
import dev.freshline.support.TopicSettings;

/**
 * Everything the connector needs, validated at start. Debezium's own options are not modelled
 * again: anything under {@code freshline.cdc.debezium} is passed to the engine as is and wins
 * over the defaults set in {@code DebeziumSettings}. {@code rules} is the invalidation rules file:
 * the connector captures exactly its tables.
 */
@Validated
@ConfigurationProperties("freshline.cdc")
public record ConnectorProperties(@DefaultValue("freshline") @Pattern(regexp = "[a-z0-9][a-z0-9_-]{0,62}") String topicPrefix,
		@DefaultValue(RuleSet.DEFAULT_LOCATION) @NotBlank String rules, @Valid @NotNull Database database, @Valid @DefaultValue Capture capture, @Valid @DefaultValue Markers markers, @Valid @DefaultValue TopicSettings topics,
		@DefaultValue Map<String, String> debezium) {

	public record Database(@NotBlank String host, @Min(1) int port, @NotBlank String name, @NotBlank String user,
			String password) {

		@Override
		public String toString() {
			// never print the password
			return "Database[" + this.user + "@" + this.host + ":" + this.port + "/" + this.name + "]";
		}

		public String jdbcUrl() {
			return "jdbc:postgresql://" + this.host + ":" + this.port + "/" + this.name;
		}
	}

	public record Capture(@DefaultValue("freshline") @Pattern(regexp = "[a-z0-9_]{1,63}") String slotName,
			@DefaultValue("freshline") @Pattern(regexp = "[a-z0-9_]{1,63}") String publicationName,
			@DefaultValue(".freshline/data/cdc-offsets.dat") Path offsetFile,
			@DefaultValue("10ms") Duration pollInterval, @DefaultValue("100ms") Duration heartbeatInterval,
			@DefaultValue("1s") Duration offsetFlushInterval) {
	}

	/**
	 * Watermark markers (issue 13): after a batch is acknowledged, the commit LSN up to which every
	 * transaction is published, written into every partition of every change topic, at most every
	 * {@code interval} (the marker interval) while changes flow and on each heartbeat while they do
	 * not. On by default: the API's freshness fence reads the applied watermarks they produce;
	 * with them off, that fence has no watermarks and must be switched off too.
	 */
	public record Markers(@DefaultValue("true") boolean enabled, @DefaultValue("50ms") Duration interval) {
	}
}
