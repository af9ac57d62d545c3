package dev.freshline.api.admin;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.Size;

import dev.freshline.api.formulary.FormularyRepository.FormularyItemFields;

/** The body of a formulary item create or update; moving an item means changing hospitalId. */
record FormularyItemRequest(@NotNull @Positive Long hospitalId, @NotBlank @Pattern(regexp = "[A-Z0-9-]{2,20}") String drugCode,
		@NotBlank @Size(max = 200) String drugName, @NotBlank @Size(max = 50) String strength,
		@NotBlank @Size(max = 50) String form, @NotBlank @Pattern(regexp = "ACTIVE|RESTRICTED|WITHDRAWN") String status) {

	FormularyItemFields fields() {
		return new FormularyItemFields(this.hospitalId, this.drugCode, this.drugName, this.strength, this.form,
				this.status);
	}
}
