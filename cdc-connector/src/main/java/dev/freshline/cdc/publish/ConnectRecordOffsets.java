package dev.freshline.cdc.publish;

import java.util.Map;

import io.debezium.embedded.EmbeddedEngineChangeEvent;
import io.debezium.engine.ChangeEvent;
import org.jspecify.annotations.Nullable;

import org.springframework.stereotype.Component;

import dev.freshline.cdc.capture.RecordOffsets;

/**
 * Reads the offset of the Kafka Connect record behind each of the embedded engine's records.
 * Debezium 3.6.1's engine hands out {@link EmbeddedEngineChangeEvent}s whatever the format, and
 * its own {@code AsyncEmbeddedEngine} reaches the {@code SourceRecord} the same way.
 */
@Component
public class ConnectRecordOffsets implements RecordOffsets {

	@Override
	public @Nullable Map<String, ?> of(ChangeEvent<byte[], byte[]> record) {
		return (record instanceof EmbeddedEngineChangeEvent<?, ?, ?> engineRecord)
				? engineRecord.sourceRecord().sourceOffset() : null;
	}
}
