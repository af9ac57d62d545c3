package dev.freshline.api.bench;

import java.nio.charset.StandardCharsets;

import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

import dev.freshline.api.patient.PatientRepository;
import dev.freshline.api.web.NotFoundException;
import dev.freshline.model.Ids;

/**
 * What a user would compare the cached read against: {@code GET /bench/noop} (the web stack
 * alone), {@code GET /bench/anonymous-noop} (the same without a token, to show what the token check
 * costs) and {@code GET /bench/db/patients/{id}} (the same JSON as {@code /patients/{id}}, always
 * from Postgres). Only the benchmark turns it on, through {@code FRESHLINE_BENCH_ENDPOINTS=true}.
 */
@RestController
@ConditionalOnBooleanProperty("freshline.bench.endpoints")
class BenchController {

	private static final byte[] NOOP = "{}".getBytes(StandardCharsets.UTF_8);

	private final PatientRepository patients;

	private final JsonMapper json;

	BenchController(PatientRepository patients, JsonMapper json) {
		this.patients = patients;
		this.json = json;
	}

	@GetMapping(path = "/bench/noop", produces = MediaType.APPLICATION_JSON_VALUE)
	ResponseEntity<byte[]> noop() {
		return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(NOOP);
	}

	/** {@link #noop()} with no token check in front of it (ApiSecurityConfiguration lets anyone call it). */
	@GetMapping(path = "/bench/anonymous-noop", produces = MediaType.APPLICATION_JSON_VALUE)
	ResponseEntity<byte[]> anonymousNoop() {
		return noop();
	}

	@GetMapping(path = "/bench/db/patients/{id}", produces = MediaType.APPLICATION_JSON_VALUE)
	ResponseEntity<byte[]> patient(@PathVariable String id) {
		long patientId = Ids.parse(id);
		// serialised exactly as PatientReads does before caching, so both paths send the same bytes
		byte[] body = this.patients.findById(patientId)
			.map(this.json::writeValueAsBytes)
			.orElseThrow(() -> new NotFoundException("patient", patientId));
		return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(body);
	}
}
