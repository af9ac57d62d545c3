package dev.freshline.api.formulary;

import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

import dev.freshline.api.cache.Loaded;
import dev.freshline.api.web.NotFoundException;
import dev.freshline.model.Ids;

/** {@code GET /hospitals/{hospitalId}/formulary}: the hospital's whole formulary as one cached list. */
@RestController
class FormularyController {

	private final FormularyReads reads;

	FormularyController(FormularyReads reads) {
		this.reads = reads;
	}

	@GetMapping(path = "/hospitals/{hospitalId}/formulary", produces = MediaType.APPLICATION_JSON_VALUE)
	ResponseEntity<byte[]> formulary(@PathVariable String hospitalId) {
		long id = Ids.parse(hospitalId);
		Loaded formulary = this.reads.forHospital(id);
		if (formulary == null) {
			throw new NotFoundException("hospital", id);
		}
		return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(formulary.body());
	}
}
