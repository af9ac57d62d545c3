package dev.freshline.cdc;

import java.io.IOException;
import java.util.Map;

import org.junit.jupiter.api.Test;

import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.PropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.io.ClassPathResource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The shipped defaults of the watermark markers, as the connector binds them from its own
 * {@code cdc-connector.yml}: on, because the API's freshness fence reads the watermarks they
 * produce, and {@code CDC_MARKERS=false} still turns them off.
 */
class ConnectorPropertiesBindingTests {

	@Test
	void shouldWriteMarkersByDefault() throws IOException {
		ConnectorProperties properties = bind(Map.of());

		assertThat(properties.markers().enabled()).isTrue();
		assertThat(properties.markers().interval()).hasMillis(50);
	}

	@Test
	void shouldWriteNoMarkersWhenTurnedOff() throws IOException {
		assertThat(bind(Map.of("CDC_MARKERS", "false")).markers().enabled()).isFalse();
	}

	@Test
	void shouldWriteMarkersWhenTheRecordIsBoundWithoutTheYamlFile() {
		Binder binder = new Binder(org.springframework.boot.context.properties.source.ConfigurationPropertySources
			.from(new MapPropertySource("test", database())));

		assertThat(binder.bindOrCreate("freshline.cdc", ConnectorProperties.class).markers().enabled()).isTrue();
	}

	private static ConnectorProperties bind(Map<String, Object> variables) throws IOException {
		StandardEnvironment environment = new StandardEnvironment();
		environment.getPropertySources().addFirst(new MapPropertySource("variables", variables));
		for (PropertySource<?> yaml : new YamlPropertySourceLoader().load("cdc-connector.yml",
				new ClassPathResource(ConnectorApplication.CONFIG_NAME + ".yml"))) {
			environment.getPropertySources().addLast(yaml);
		}
		return Binder.get(environment).bindOrCreate("freshline.cdc", ConnectorProperties.class);
	}

	private static Map<String, Object> database() {
		return Map.of("freshline.cdc.database.host", "localhost", "freshline.cdc.database.port", "5432",
				"freshline.cdc.database.name", "freshline", "freshline.cdc.database.user", "freshline_cdc");
	}
}
