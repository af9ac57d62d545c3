package dev.freshline.api.patient;

import java.time.LocalDate;
import java.time.OffsetDateTime;

/** A patient row as the API serves it; {@code version} rises on every write, SQL included. */
public record Patient(long id, String mrn, String name, LocalDate dateOfBirth, String ward, long version,
		OffsetDateTime updatedAt) {
}
