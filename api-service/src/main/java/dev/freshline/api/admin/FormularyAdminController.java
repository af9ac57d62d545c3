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
import dev.freshline.api.formulary.FormularyItem;
import dev.freshline.api.formulary.FormularyRepository;
import dev.freshline.api.web.NotFoundException;
import dev.freshline.model.CacheKeys;
import dev.freshline.model.Ids;
import dev.freshline.model.Invalidation;

/**
 * Create, update (including moving between hospitals) and delete formulary items; each write
 * evicts the lists it changed right after its commit.
 */
@RestController
@RequestMapping("/admin/formulary-items")
class FormularyAdminController {

	private final FormularyRepository formulary;

	private final CacheInvalidation cache;

	private final CacheKeys keys;

	FormularyAdminController(FormularyRepository formulary, CacheInvalidation cache, CacheKeys keys) {
		this.formulary = formulary;
		this.cache = cache;
		this.keys = keys;
	}

	private Invalidation hospitalList(long hospitalId) {
		return new Invalidation(this.keys.formulary(hospitalId), Invalidation.NO_FLOOR);
	}

	@PostMapping
	ResponseEntity<FormularyItem> create(@Valid @RequestBody FormularyItemRequest request) {
		FormularyItem created = this.formulary.insert(request.fields());
		this.cache.afterCommit(hospitalList(created.hospitalId()));
		return ResponseEntity.created(URI.create("/hospitals/" + created.hospitalId() + "/formulary")).body(created);
	}

	@PutMapping("/{id}")
	FormularyItem update(@PathVariable String id, @Valid @RequestBody FormularyItemRequest request) {
		long itemId = Ids.parse(id);
		FormularyRepository.Updated updated = this.formulary.update(itemId, request.fields())
			.orElseThrow(() -> new NotFoundException("formulary item", itemId));
		this.cache.afterCommit(hospitalList(updated.previousHospitalId()), hospitalList(updated.item().hospitalId()));
		return updated.item();
	}

	@DeleteMapping("/{id}")
	ResponseEntity<Void> delete(@PathVariable String id) {
		long itemId = Ids.parse(id);
		long hospitalId = this.formulary.delete(itemId).orElseThrow(() -> new NotFoundException("formulary item", itemId));
		this.cache.afterCommit(hospitalList(hospitalId));
		return ResponseEntity.noContent().build();
	}
}
