package dev.freshline.cdc;

import java.util.Map;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

@SpringBootApplication
@ConfigurationPropertiesScan
public class ConnectorApplication {

	/**
	 * The services share test JVMs, where several {@code application.yml} would shadow each other:
	 * each reads its own {@code cdc-connector.yml} instead.
	 */
	public static final String CONFIG_NAME = "cdc-connector";

	public static void main(String[] args) {
		SpringApplication application = new SpringApplication(ConnectorApplication.class);
		application.setDefaultProperties(Map.of("spring.config.name", CONFIG_NAME));
		application.run(args);
	}
}
