package dev.freshline.api.formulary;

import java.time.OffsetDateTime;
import java.util.Map;

/** One drug on a hospital's formulary. */
public record FormularyItem(long id, long hospitalId, String drugCode, String drugName, String strength, String form,
		String status, long version, OffsetDateTime updatedAt) {

	/** The row by column name, as a change event carries it: what the invalidation rules read. */
	public Map<String, Object> columns() {
		return Map.of("id", this.id, "hospital_id", this.hospitalId, "version", this.version);
	}
}
