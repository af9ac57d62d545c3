package dev.freshline.model;

import java.util.Map;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.ObjectReader;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads Debezium's JSON change envelope (schemas disabled) into a {@link ChangeEvent}. Anything
 * it cannot read becomes a {@link MalformedChangeEventException}, which is never retried. Shared by
 * the invalidator and the ops tool, so a replay reads a record exactly as the live path does.
 */
public final class ChangeEventParser {

	// built once: replays parse hundreds of thousands of records a second, and Debezium's envelope
	// carries fields (transaction, ts_us, source.*) that keys never need
	private final ObjectReader reader = JsonMapper.builder()
		.disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
		.build()
		.readerFor(Envelope.class);

	public ChangeEvent parse(byte[] value) {
		Envelope envelope;
		try {
			envelope = this.reader.readValue(value);
		}
		catch (JacksonException ex) {
			// the message names the position only; the payload is not copied into logs or headers
			throw new MalformedChangeEventException("change record is not a Debezium JSON envelope: "
					+ ex.getOriginalMessage(), ex);
		}
		if (envelope.op() == null || envelope.source() == null || envelope.source().table() == null) {
			throw new MalformedChangeEventException("change record lacks 'op' or 'source.table'");
		}
		Source source = envelope.source();
		return new ChangeEvent(Operation.fromCode(envelope.op()), source.table(), envelope.before(), envelope.after(),
				source.tsMs() == null ? 0 : source.tsMs(), source.lsn() == null ? 0 : source.lsn());
	}

	@JsonIgnoreProperties(ignoreUnknown = true)
	record Envelope(@Nullable Map<String, Object> before, @Nullable Map<String, Object> after, @Nullable Source source,
			@Nullable String op) {
	}

	@JsonIgnoreProperties(ignoreUnknown = true)
	record Source(@Nullable String table, @JsonProperty("ts_ms") @Nullable Long tsMs, @Nullable Long lsn) {
	}
}
