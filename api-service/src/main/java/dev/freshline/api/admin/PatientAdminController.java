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

import dev.freshline.api.cache.CacheInvalidation;
import dev.freshline.api.patient.Patient;
import dev.freshline.api.patient.PatientRepository;
import dev.freshline.api.web.NotFoundException;
import dev.freshline.model.CacheKeys;
import dev.freshline.model.Ids;
import dev.freshline.model.Invalidation;

/** Create, update and delete patients; each write invalidates the patient's key right after its commit. */
@RestController
@RequestMapping("/admin/patients")
class PatientAdminController {

	private final PatientRepository patients;

	private final CacheInvalidation cache;

	private final CacheKeys keys;

	PatientAdminController(PatientRepository patients, CacheInvalidation cache, CacheKeys keys) {
		this.patients = patients;
		this.cache = cache;
		this.keys = keys;
	}

	@PostMapping
	ResponseEntity<Patient> create(@Valid @RequestBody PatientRequest request) {
		Patient created = this.patients.insert(request.mrn(), request.name(), request.dateOfBirth(), request.ward());
		this.cache.afterCommit(new Invalidation(this.keys.patient(created.id()), created.version()));
		return ResponseEntity.created(URI.create("/patients/" + created.id())).body(created);
	}

	@PutMapping("/{id}")
	Patient update(@PathVariable String id, @Valid @RequestBody PatientRequest request) {
		long patientId = Ids.parse(id);
		Patient updated = this.patients
			.update(patientId, request.mrn(), request.name(), request.dateOfBirth(), request.ward())
			.orElseThrow(() -> new NotFoundException("patient", patientId));
		this.cache.afterCommit(new Invalidation(this.keys.patient(patientId), updated.version()));
		return updated;
	}

	@DeleteMapping("/{id}")
	ResponseEntity<Void> delete(@PathVariable String id) {
		long patientId = Ids.parse(id);
		if (!this.patients.delete(patientId)) {
			throw new NotFoundException("patient", patientId);
		}
		this.cache.afterCommit(new Invalidation(this.keys.patient(patientId), Invalidation.DELETED));
		return ResponseEntity.noContent().build();
	}
}
