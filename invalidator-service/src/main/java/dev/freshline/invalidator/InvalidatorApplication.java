package dev.freshline.invalidator;

import java.util.Map;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

@SpringBootApplication
@ConfigurationPropertiesScan
public class InvalidatorApplication {

	/**
	 * The services share test JVMs, where several {@code application.yml} would shadow each other:
	 * each reads its own {@code invalidator-service.yml} instead.
	 */
	public static final String CONFIG_NAME = "invalidator-service";

	public static void main(String[] args) {
		SpringApplication application = new SpringApplication(InvalidatorApplication.class);
		application.setDefaultProperties(Map.of("spring.config.name", CONFIG_NAME));
		application.run(args);
	}
}
