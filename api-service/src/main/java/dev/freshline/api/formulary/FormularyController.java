package dev.freshline.api.formulary;

import java.util.List;
import java.util.Optional;

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
import dev.freshline.model.Invalidation;

/**
 * {@code GET /hospitals/{hospitalId}/formulary}. There is no hospital table: a hospital exists
 * while it has formulary items, so an empty list is a 404 and is not cached.
 */
@RestController
class FormularyController {

	private final ReadThroughCache cache;

	private final FormularyRepository formulary;

	private final CacheKeys keys;

	private final ApiProperties.Expiry expiry;

	private final JsonMapper json;

	FormularyController(ReadThroughCache cache, FormularyRepository formulary, CacheKeys keys, ApiProperties properties,
			JsonMapper json) {
		this.cache = cache;
		this.formulary = formulary;
		this.keys = keys;
		this.expiry = properties.cache().formulary();
		this.json = json;
	}

	@GetMapping(path = "/hospitals/{hospitalId}/formulary", produces = MediaType.APPLICATION_JSON_VALUE)
	ResponseEntity<byte[]> formulary(@PathVariable String hospitalId) {
		long id = Ids.parse(hospitalId);
		byte[] body = this.cache.read(this.keys.formulary(id), this.expiry, () -> load(id))
			.orElseThrow(() -> new NotFoundException("hospital", id));
		return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(body);
	}

	private Optional<Loaded> load(long hospitalId) {
		List<FormularyItem> items = this.formulary.findByHospital(hospitalId);
		// a list has no single row version: its fills are guarded by the lease alone
		return items.isEmpty() ? Optional.empty()
				: Optional.of(new Loaded(this.json.writeValueAsBytes(items), Invalidation.NO_FLOOR));
	}
}
