package dev.freshline.ops;

import org.apache.kafka.common.header.Headers;
import org.jspecify.annotations.Nullable;

import dev.freshline.model.Watermark;

/**
 * Tells a watermark marker from a change by its header, for {@code ChangeBatch}, which knows no
 * Kafka type: replay and redrive skip markers, as the invalidator does.
 */
public final class Markers {

	private Markers() {
	}

	/** Whether a record with {@code headers} is a watermark marker rather than a change. */
	public static boolean isMarker(@Nullable Headers headers) {
		return headers != null && headers.lastHeader(Watermark.HEADER) != null;
	}
}
