package dev.freshline.model;

import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * One committed row change as Debezium reports it: the before and after images (either may be
 * absent), the table, and the source's commit time and log position for lag measurement.
 */
public record ChangeEvent(Operation operation, String table, @Nullable Map<String, Object> before,
		@Nullable Map<String, Object> after, long commitTimeMillis, long lsn) {
}
