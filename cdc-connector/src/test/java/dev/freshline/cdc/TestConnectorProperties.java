package dev.freshline.cdc;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import dev.freshline.model.RuleSet;
import dev.freshline.support.TopicSettings;

/** Connector settings for tests that build the connector's parts by hand. */
public final class TestConnectorProperties {

	private TestConnectorProperties() {
	}

	public static ConnectorProperties with(Map<String, String> debezium) {
		return new ConnectorProperties("freshline", RuleSet.DEFAULT_LOCATION,
				new ConnectorProperties.Database("127.0.0.1", 5432, "freshline", "freshline_cdc", "s3cret"),
				new ConnectorProperties.Capture("slot_x", "freshline", Path.of("offsets.dat"), Duration.ofMillis(10),
						Duration.ofSeconds(1), Duration.ofSeconds(1)),
				new ConnectorProperties.Markers(false, Duration.ofMillis(50)), new TopicSettings(3, (short) 1, null), debezium);
	}
}
