package dev.freshline.invalidator.invalidation;

import java.util.Map;

import com.fasterxml.jackson.annotation.JsonProperty;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.stereotype.Component;

import dev.freshline.model.ChangeEvent;
import dev.freshline.model.MalformedChangeEventException;
import dev.freshline.model.Operation;

/**
 * Reads Debezium's JSON change envelope (schemas disabled) into a {@link ChangeEvent}. Anything
 * it cannot read becomes a {@link MalformedChangeEventException}, which is never retried.
 */
@Component
class ChangeEventParser {

	private final JsonMapper mapper = JsonMapper.builder().build();

	ChangeEvent parse(byte[] value) {
		Envelope envelope;
		try {
			envelope = this.mapper.readValue(value, Envelope.class);
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

	record Envelope(@Nullable Map<String, Object> before, @Nullable Map<String, Object> after, @Nullable Source source,
			@Nullable String op) {
	}

	record Source(@Nullable String table, @JsonProperty("ts_ms") @Nullable Long tsMs, @Nullable Long lsn) {
	}
}
