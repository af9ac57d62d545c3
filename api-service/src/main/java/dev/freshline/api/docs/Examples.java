package dev.freshline.api.docs;

import java.util.LinkedHashMap;
import java.util.Map;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.media.Schema;

/**
 * Example bodies for the description, all synthetic: the demo data's patient 42 and formulary
 * item 1 (db/seed), a patient and a drug code the seed does not hold (so a create would succeed),
 * and the cache repairs of README's walkthrough. Never a real record.
 */
final class Examples {

	private static final Map<String, Object> PATIENT = ordered("id", 42, "mrn", "MRN-000042", "name", "Patient 42",
			"dateOfBirth", "1977-03-25", "ward", "ward-c", "version", 1, "updatedAt", "2026-11-30T12:00:00Z");

	private static final Map<String, Object> PATIENT_REQUEST = ordered("mrn", "MRN-003001", "name", "Patient 3001",
			"dateOfBirth", "1980-01-01", "ward", "ward-b");

	private static final Map<String, Object> FORMULARY_ITEM = ordered("id", 1, "hospitalId", 1, "drugCode", "D0001",
			"drugName", "Drug 1", "strength", "10 mg", "form", "capsule", "status", "ACTIVE", "version", 1, "updatedAt",
			"2026-11-30T12:00:00Z");

	private static final Map<String, Object> FORMULARY_ITEM_REQUEST = ordered("hospitalId", 2, "drugCode", "D0301",
			"drugName", "Drug 301", "strength", "10 mg", "form", "capsule", "status", "RESTRICTED");

	private Examples() {
	}

	/** Sets the example of each body schema springdoc generated; a schema it did not generate is left out. */
	static void addTo(Components components) {
		example(components, "Patient", PATIENT);
		example(components, "PatientRequest", PATIENT_REQUEST);
		example(components, "FormularyItem", FORMULARY_ITEM);
		example(components, "FormularyItemRequest", FORMULARY_ITEM_REQUEST);
		example(components, "Flushed", ordered("namespace", "patient", "keysRemoved", 1, "millis", 12));
		example(components, "TagInvalidated", ordered("tag", "hospital:3", "entriesInvalidated", 1));
	}

	private static void example(Components components, String name, Map<String, Object> example) {
		Schema<?> schema = components.getSchemas().get(name);
		if (schema != null) {
			schema.setExample(example);
		}
	}

	/** A map in the order of {@code keysAndValues}, as the API writes the fields. */
	private static Map<String, Object> ordered(Object... keysAndValues) {
		Map<String, Object> map = new LinkedHashMap<>();
		for (int i = 0; i < keysAndValues.length; i += 2) {
			map.put((String) keysAndValues[i], keysAndValues[i + 1]);
		}
		return map;
	}
}
