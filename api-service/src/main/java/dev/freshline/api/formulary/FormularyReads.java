package dev.freshline.api.formulary;

import java.util.List;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.cache.annotation.Cacheable;
import org.springframework.stereotype.Service;

import dev.freshline.api.cache.Loaded;
import dev.freshline.model.Invalidation;

/**
 * A hospital's formulary as served, cached through the fill protocol. A list has no single row
 * version, so its fills are guarded by the lease alone. There is no hospital table: a hospital
 * exists while it has items, so an empty list is "not found" and is not cached.
 */
@Service
class FormularyReads {

	private final FormularyRepository formulary;

	private final JsonMapper json;

	FormularyReads(FormularyRepository formulary, JsonMapper json) {
		this.formulary = formulary;
		this.json = json;
	}

	@Cacheable(cacheNames = "formulary", key = "#hospitalId", sync = true)
	public @Nullable Loaded forHospital(long hospitalId) {
		List<FormularyItem> items = this.formulary.findByHospital(hospitalId);
		return items.isEmpty() ? null : new Loaded(this.json.writeValueAsBytes(items), Invalidation.NO_FLOOR);
	}
}
