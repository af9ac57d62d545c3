package dev.freshline.api.admin;

import java.net.URI;
import java.util.HashMap;
import java.util.Map;

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
import dev.freshline.model.IdType;
import dev.freshline.model.Ids;
import dev.freshline.model.InvalidationRules;
import dev.freshline.model.Namespace;
import dev.freshline.model.Operation;

/**
 * Create, update and delete patients; each write evicts, right after its commit, what the rules
 * say it affects: the patient and, from both images, the wards it left and joined.
 */
@RestController
@RequestMapping("/admin/patients")
class PatientAdminController {

	private static final String TABLE = "patient";

	private final PatientRepository patients;

	private final CacheInvalidation cache;

	private final IdType wardType;

	PatientAdminController(PatientRepository patients, CacheInvalidation cache, InvalidationRules rules) {
		this.patients = patients;
		this.cache = cache;
		this.wardType = rules.ruleSet().idType(Namespace.WARD);
	}

	@PostMapping
	ResponseEntity<Patient> create(@Valid @RequestBody PatientRequest request) {
		Patient created = this.patients.insert(request.mrn(), request.name(), request.dateOfBirth(), ward(request));
		this.cache.afterCommit(TABLE, Operation.CREATE, null, created.columns());
		return ResponseEntity.created(URI.create("/patients/" + created.id())).body(created);
	}

	@PutMapping("/{id}")
	Patient update(@PathVariable String id, @Valid @RequestBody PatientRequest request) {
		long patientId = Ids.parse(id);
		String ward = ward(request);
		PatientRepository.Updated updated = this.patients
			.update(patientId, request.mrn(), request.name(), request.dateOfBirth(), ward)
			.orElseThrow(() -> new NotFoundException("patient", patientId));
		Map<String, Object> before = new HashMap<>(updated.patient().columns());
		before.put("ward", updated.previousWard());
		this.cache.afterCommit(TABLE, Operation.UPDATE, before, updated.patient().columns());
		return updated.patient();
	}

	@DeleteMapping("/{id}")
	ResponseEntity<Void> delete(@PathVariable String id) {
		long patientId = Ids.parse(id);
		Patient deleted = this.patients.delete(patientId).orElseThrow(() -> new NotFoundException("patient", patientId));
		this.cache.afterCommit(TABLE, Operation.DELETE, deleted.columns(), null);
		return ResponseEntity.noContent().build();
	}

	/**
	 * The ward in the form the census key uses, refused (a 400 {@code InvalidIdException}) before
	 * any SQL when the rules' ward id type does not accept it: a ward longer than the column would
	 * otherwise reach Postgres and come back as a constraint violation, a 500.
	 */
	private String ward(PatientRequest request) {
		return this.wardType.canonical(request.ward());
	}
}
