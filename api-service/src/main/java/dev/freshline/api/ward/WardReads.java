package dev.freshline.api.ward;

import tools.jackson.databind.json.JsonMapper;

import org.springframework.cache.annotation.Cacheable;
import org.springframework.stereotype.Service;

import dev.freshline.api.cache.Loaded;
import dev.freshline.api.patient.PatientRepository;
import dev.freshline.model.Invalidation;

/**
 * A ward's census as served. A list has no single row version, so its fills are guarded by the
 * lease alone. A ward without patients is an empty list, not "not found": wards have no table.
 */
@Service
class WardReads {

	private final PatientRepository patients;

	private final JsonMapper json;

	WardReads(PatientRepository patients, JsonMapper json) {
		this.patients = patients;
		this.json = json;
	}

	/** {@code ward} arrives canonical: the controller checked it against the namespace's id type. */
	@Cacheable(cacheNames = "ward", key = "#ward", sync = true)
	public Loaded census(String ward) {
		return new Loaded(this.json.writeValueAsBytes(this.patients.findByWard(ward)), Invalidation.NO_FLOOR);
	}
}
