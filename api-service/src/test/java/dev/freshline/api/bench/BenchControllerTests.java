package dev.freshline.api.bench;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.freshline.api.patient.PatientRepository;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;

/**
 * When the bench endpoints exist. What they serve is checked against the real cached read in
 * {@code ApiIntegrationTests}, not against a mock of the repository.
 */
class BenchControllerTests {

	private final PatientRepository patients = mock(PatientRepository.class);

	private final JsonMapper json = JsonMapper.builder().build();

	private final ApplicationContextRunner contexts = new ApplicationContextRunner()
		.withBean(PatientRepository.class, () -> this.patients)
		.withBean(JsonMapper.class, () -> this.json)
		.withUserConfiguration(BenchController.class);

	@Test
	void shouldNotServeBenchEndpointsByDefault() {
		this.contexts.run((context) -> assertThat(context).doesNotHaveBean(BenchController.class));
		this.contexts.withPropertyValues("freshline.bench.endpoints=false")
			.run((context) -> assertThat(context).doesNotHaveBean(BenchController.class));
	}

	@Test
	void shouldServeBenchEndpointsWhenEnabled() {
		this.contexts.withPropertyValues("freshline.bench.endpoints=true")
			.run((context) -> assertThat(context).hasSingleBean(BenchController.class));
	}
}
