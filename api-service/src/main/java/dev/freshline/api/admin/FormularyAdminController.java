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

import dev.freshline.api.formulary.FormularyItem;
import dev.freshline.api.formulary.FormularyRepository;
import dev.freshline.api.web.NotFoundException;
import dev.freshline.model.Ids;

/** Create, update (including moving between hospitals) and delete formulary items. */
@RestController
@RequestMapping("/admin/formulary-items")
class FormularyAdminController {

	private final FormularyRepository formulary;

	FormularyAdminController(FormularyRepository formulary) {
		this.formulary = formulary;
	}

	@PostMapping
	ResponseEntity<FormularyItem> create(@Valid @RequestBody FormularyItemRequest request) {
		FormularyItem created = this.formulary.insert(request.fields());
		return ResponseEntity.created(URI.create("/hospitals/" + created.hospitalId() + "/formulary")).body(created);
	}

	@PutMapping("/{id}")
	FormularyItem update(@PathVariable String id, @Valid @RequestBody FormularyItemRequest request) {
		long itemId = Ids.parse(id);
		return this.formulary.update(itemId, request.fields())
			.orElseThrow(() -> new NotFoundException("formulary item", itemId));
	}

	@DeleteMapping("/{id}")
	ResponseEntity<Void> delete(@PathVariable String id) {
		long itemId = Ids.parse(id);
		if (!this.formulary.delete(itemId)) {
			throw new NotFoundException("formulary item", itemId);
		}
		return ResponseEntity.noContent().build();
	}
}
