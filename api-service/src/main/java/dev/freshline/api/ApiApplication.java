package dev.freshline.api;

import java.util.Map;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.AutoConfigurationExcludeFilter;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.TypeExcludeFilter;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.context.annotation.ComponentScan;
import org.springframework.context.annotation.FilterType;

/**
 * The API. Its component scan is Spring Boot's, less the status package: the status page runs
 * on the management server only, whose context loads it (ManagementContextConfiguration.imports);
 * scanned here as well, it would also be a handler of the API's own port.
 */
@SpringBootApplication
@ComponentScan(excludeFilters = { @ComponentScan.Filter(type = FilterType.CUSTOM, classes = TypeExcludeFilter.class),
		@ComponentScan.Filter(type = FilterType.CUSTOM, classes = AutoConfigurationExcludeFilter.class),
		@ComponentScan.Filter(type = FilterType.REGEX, pattern = "dev\\.freshline\\.api\\.status\\..*") })
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
