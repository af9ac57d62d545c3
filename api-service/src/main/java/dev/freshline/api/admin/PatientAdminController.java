package dev.freshline.api.admin;

import java.net.URI;

import jakarta.validation.Valid;

import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import dev.freshline.api.patient.Patient;
import dev.freshline.api.patient.PatientRepository;
import dev.freshline.api.web.NotFoundException;
import dev.freshline.model.Ids;

/** Create, update and delete patients. */
@RestController
@RequestMapping("/admin/patients")
class PatientAdminController {

	private final PatientRepository patients;

	PatientAdminController(PatientRepository patients) {
		this.patients = patients;
	}

	@PostMapping
	ResponseEntity<Patient> create(@Valid @RequestBody PatientRequest request) {
		Patient created = this.patients.insert(request.mrn(), request.name(), request.dateOfBirth(), request.ward());
		return ResponseEntity.created(URI.create("/patients/" + created.id())).body(created);
	}

	@PutMapping("/{id}")
	Patient update(@PathVariable String id, @Valid @RequestBody PatientRequest request) {
		long patientId = Ids.parse(id);
		return this.patients.update(patientId, request.mrn(), request.name(), request.dateOfBirth(), request.ward())
			.orElseThrow(() -> new NotFoundException("patient", patientId));
	}

	@DeleteMapping("/{id}")
	ResponseEntity<Void> delete(@PathVariable String id) {
		long patientId = Ids.parse(id);
		if (!this.patients.delete(patientId)) {
			throw new NotFoundException("patient", patientId);
		}
		return ResponseEntity.noContent().build();
	}
}
