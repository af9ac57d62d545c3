package dev.freshline.api;

import java.util.Map;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

@SpringBootApplication
@ConfigurationPropertiesScan
public class ApiApplication {

	/**
	 * The services share test JVMs, where several {@code application.yml} would shadow each other:
	 * each reads its own {@code api-service.yml} instead.
	 */
	public static final String CONFIG_NAME = "api-service";

	public static void main(String[] args) {
		SpringApplication application = new SpringApplication(ApiApplication.class);
		application.setDefaultProperties(Map.of("spring.config.name", CONFIG_NAME));
		application.run(args);
	}
}
