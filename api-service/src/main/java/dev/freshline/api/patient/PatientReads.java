package dev.freshline.api.patient;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.cache.annotation.Cacheable;
import org.springframework.stereotype.Service;

import dev.freshline.api.cache.Loaded;

/**
 * A patient as served: cached through the fill protocol ({@code sync = true} routes every miss
 * through a lease), loaded with its version so that a fill older than the key's floor is refused.
 */
@Service
class PatientReads {

	private final PatientRepository patients;

	private final JsonMapper json;

	PatientReads(PatientRepository patients, JsonMapper json) {
		this.patients = patients;
		this.json = json;
	}

	/** The patient's JSON, or null when there is no such patient (not cached). */
	@Cacheable(cacheNames = "patient", key = "#id", sync = true)
	public @Nullable Loaded find(long id) {
		return this.patients.findById(id)
			.map((patient) -> new Loaded(this.json.writeValueAsBytes(patient), patient.version()))
			.orElse(null);
	}
}
