package dev.freshline.api.patient;

import tools.jackson.databind.json.JsonMapper;

import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

import dev.freshline.api.ApiProperties;
import dev.freshline.api.cache.Loaded;
import dev.freshline.api.cache.ReadThroughCache;
import dev.freshline.api.web.NotFoundException;
import dev.freshline.model.CacheKeys;
import dev.freshline.model.Ids;

/** {@code GET /patients/{id}}: the cached JSON bytes are served as they are stored. */
@RestController
class PatientController {

	private final ReadThroughCache cache;

	private final PatientRepository patients;

	private final CacheKeys keys;

	private final ApiProperties.Expiry expiry;

	private final JsonMapper json;

	PatientController(ReadThroughCache cache, PatientRepository patients, CacheKeys keys, ApiProperties properties,
			JsonMapper json) {
		this.cache = cache;
		this.patients = patients;
		this.keys = keys;
		this.expiry = properties.cache().patient();
		this.json = json;
	}

	@GetMapping(path = "/patients/{id}", produces = MediaType.APPLICATION_JSON_VALUE)
	ResponseEntity<byte[]> patient(@PathVariable String id) {
		long patientId = Ids.parse(id);
		byte[] body = this.cache
			.read(this.keys.patient(patientId), this.expiry,
					() -> this.patients.findById(patientId)
						.map((patient) -> new Loaded(this.json.writeValueAsBytes(patient), patient.version())))
			.orElseThrow(() -> new NotFoundException("patient", patientId));
		return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(body);
	}
}
