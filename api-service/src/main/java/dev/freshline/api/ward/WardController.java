package dev.freshline.api.ward;

import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

import dev.freshline.model.InvalidationRules;
import dev.freshline.model.Namespace;

/** {@code GET /wards/{ward}/patients}: the patients on a ward, as one cached list. */
@RestController
class WardController {

	private final WardReads reads;

	private final InvalidationRules rules;

	WardController(WardReads reads, InvalidationRules rules) {
		this.reads = reads;
		this.rules = rules;
	}

	@GetMapping(path = "/wards/{ward}/patients", produces = MediaType.APPLICATION_JSON_VALUE)
	ResponseEntity<byte[]> census(@PathVariable String ward) {
		// canonical before SQL or Redis: bounded, no key syntax, one form per ward
		String canonical = this.rules.ruleSet().idType(Namespace.WARD).canonical(ward);
		return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(this.reads.census(canonical).body());
	}
}
