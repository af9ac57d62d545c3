package dev.freshline.api.bench;

import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.freshline.api.patient.Patient;
import dev.freshline.api.patient.PatientRepository;
import dev.freshline.api.web.NotFoundException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.mockito.BDDMockito.given;
import static org.mockito.Mockito.mock;

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

	@Test
	void shouldServeThePatientJsonTheCacheStoresStraightFromPostgres() {
		Patient patient = new Patient(42, "MRN-000042", "Patient 42", LocalDate.of(1977, 3, 25), "ward-c", 3,
				OffsetDateTime.of(2026, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC));
		given(this.patients.findById(42)).willReturn(Optional.of(patient));
		BenchController controller = new BenchController(this.patients, this.json);

		assertThat(controller.patient("042").getBody()).isEqualTo(this.json.writeValueAsBytes(patient));
		assertThat(controller.noop().getStatusCode().value()).isEqualTo(200);
	}

	@Test
	void shouldAnswerNotFoundForAMissingPatient() {
		given(this.patients.findById(7)).willReturn(Optional.empty());
		BenchController controller = new BenchController(this.patients, this.json);

		assertThatExceptionOfType(NotFoundException.class).isThrownBy(() -> controller.patient("7"));
	}
}
