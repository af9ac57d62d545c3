package dev.freshline.invalidator;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

@SpringBootApplication
@ConfigurationPropertiesScan
public class InvalidatorApplication {

	public static void main(String[] args) {
		SpringApplication.run(InvalidatorApplication.class, args);
	}
}
