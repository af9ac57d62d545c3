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
import dev.freshline.api.formulary.FormularyItem;
import dev.freshline.api.formulary.FormularyRepository;
import dev.freshline.api.web.NotFoundException;
import dev.freshline.model.Ids;
import dev.freshline.model.Operation;

/**
 * Create, update (including moving between hospitals) and delete formulary items; each write
 * evicts, right after its commit, what the rules say it affects: the lists it left and joined.
 */
@RestController
@RequestMapping("/admin/formulary-items")
class FormularyAdminController {

	private static final String TABLE = "formulary_item";

	private final FormularyRepository formulary;

	private final CacheInvalidation cache;

	FormularyAdminController(FormularyRepository formulary, CacheInvalidation cache) {
		this.formulary = formulary;
		this.cache = cache;
	}

	@PostMapping
	ResponseEntity<FormularyItem> create(@Valid @RequestBody FormularyItemRequest request) {
		FormularyItem created = this.formulary.insert(request.fields());
		this.cache.afterCommit(TABLE, Operation.CREATE, null, created.columns());
		return ResponseEntity.created(URI.create("/hospitals/" + created.hospitalId() + "/formulary")).body(created);
	}

	@PutMapping("/{id}")
	FormularyItem update(@PathVariable String id, @Valid @RequestBody FormularyItemRequest request) {
		long itemId = Ids.parse(id);
		FormularyRepository.Updated updated = this.formulary.update(itemId, request.fields())
			.orElseThrow(() -> new NotFoundException("formulary item", itemId));
		Map<String, Object> before = new HashMap<>(updated.item().columns());
		before.put("hospital_id", updated.previousHospitalId());
		this.cache.afterCommit(TABLE, Operation.UPDATE, before, updated.item().columns());
		return updated.item();
	}

	@DeleteMapping("/{id}")
	ResponseEntity<Void> delete(@PathVariable String id) {
		long itemId = Ids.parse(id);
		long hospitalId = this.formulary.delete(itemId).orElseThrow(() -> new NotFoundException("formulary item", itemId));
		this.cache.afterCommit(TABLE, Operation.DELETE, Map.of("id", itemId, "hospital_id", hospitalId), null);
		return ResponseEntity.noContent().build();
	}
}
