package dev.freshline.api.admin;

import java.time.LocalDate;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.PastOrPresent;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/** The body of a patient create or update. */
record PatientRequest(@NotBlank @Pattern(regexp = "[A-Z0-9-]{4,20}") String mrn, @NotBlank @Size(max = 200) String name,
		@NotNull @PastOrPresent LocalDate dateOfBirth, @NotBlank @Pattern(regexp = "[a-z0-9-]{1,40}") String ward) {
}
