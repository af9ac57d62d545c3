package dev.freshline.api.admin;

import java.time.LocalDate;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.PastOrPresent;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/**
 * The body of a patient create or update. A ward is also a cache id, so its length is not fixed
 * here but by the rules' id type for the ward namespace, which the controller applies (the column
 * is sized to match, and the schema check keeps the two in step).
 */
record PatientRequest(@NotBlank @Pattern(regexp = "[A-Z0-9-]{4,20}") String mrn, @NotBlank @Size(max = 200) String name,
		@NotNull @PastOrPresent LocalDate dateOfBirth, @NotBlank @Pattern(regexp = "[a-z0-9-]+") String ward) {
}
