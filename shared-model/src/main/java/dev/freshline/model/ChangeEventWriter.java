package dev.freshline.model;

import java.util.LinkedHashMap;
import java.util.Map;

import tools.jackson.databind.json.JsonMapper;

/**
 * Writes a {@link ChangeEvent} as the Debezium JSON envelope (schemas disabled) that
 * {@link ChangeEventParser} reads, for the records Freshline publishes itself (the connector's
 * TRUNCATE after an unclean stop). Kept next to the parser so the two cannot drift apart; a
 * log position of 0 (unknown) is left out, as Debezium leaves out what it does not know.
 */
public final class ChangeEventWriter {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	public String write(ChangeEvent event) {
		Map<String, Object> source = new LinkedHashMap<>();
		source.put("table", event.table());
		source.put("ts_ms", event.commitTimeMillis());
		if (event.lsn() != 0) {
			source.put("lsn", event.lsn());
		}
		Map<String, Object> envelope = new LinkedHashMap<>();
		envelope.put("before", event.before());
		envelope.put("after", event.after());
		envelope.put("source", source);
		envelope.put("op", event.operation().code());
		return JSON.writeValueAsString(envelope);
	}
}
