package dev.freshline.api.patient;

import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

import dev.freshline.api.cache.Loaded;
import dev.freshline.api.web.NotFoundException;
import dev.freshline.model.Ids;

/** {@code GET /patients/{id}}: the cached JSON bytes are served as they are stored. */
@RestController
class PatientController {

	private final PatientReads reads;

	PatientController(PatientReads reads) {
		this.reads = reads;
	}

	@GetMapping(path = "/patients/{id}", produces = MediaType.APPLICATION_JSON_VALUE)
	ResponseEntity<byte[]> patient(@PathVariable String id) {
		long patientId = Ids.parse(id);
		Loaded patient = this.reads.find(patientId);
		if (patient == null) {
			throw new NotFoundException("patient", patientId);
		}
		return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(patient.body());
	}
}
