package dev.freshline.api.patient;

import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.Map;

/** A patient row as the API serves it; {@code version} rises on every write, SQL included. */
public record Patient(long id, String mrn, String name, LocalDate dateOfBirth, String ward, long version,
		OffsetDateTime updatedAt) {

	/** The row by column name, as a change event carries it: what the invalidation rules read. */
	public Map<String, Object> columns() {
		return Map.of("id", this.id, "ward", this.ward, "version", this.version);
	}
}
