package dev.freshline.api.formulary;

import java.time.OffsetDateTime;

/** One drug on a hospital's formulary. */
public record FormularyItem(long id, long hospitalId, String drugCode, String drugName, String strength, String form,
		String status, long version, OffsetDateTime updatedAt) {
}
