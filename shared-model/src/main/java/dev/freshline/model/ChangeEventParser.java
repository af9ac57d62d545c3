package dev.freshline.model;

import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads Debezium's JSON change envelope (schemas disabled) into a {@link ChangeEvent}, streaming:
 * only {@code op}, {@code source.table}, {@code source.ts_ms}, {@code source.lsn} and the row
 * images are read, and everything else is skipped unparsed. Built {@link #forRules for the rules},
 * it keeps only the image columns a rule reads, which is most of a replay's CPU saved. Anything
 * it cannot read becomes a {@link MalformedChangeEventException}, which is never retried. Shared
 * by the invalidator and the ops tool, so a replay reads a record exactly as the live path does.
 */
public final class ChangeEventParser {

	private static final JsonFactory JSON = JsonFactory.builder().build();

	/** Only for nested column values (arrays, structs), which no key template reads. */
	private static final JsonMapper NESTED = JsonMapper.builder()
		.disable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
		.build();

	private final @Nullable Set<String> columns;

	/** A parser that keeps every column of both images. */
	public ChangeEventParser() {
		this.columns = null;
	}

	private ChangeEventParser(Set<String> columns) {
		this.columns = Set.copyOf(columns);
	}

	/**
	 * A parser that keeps only the columns the rules read (key, tag and floor columns of every
	 * table). A column a rule needs but an image lacks stays absent, so the rules still see it.
	 */
	public static ChangeEventParser forRules(RuleSet rules) {
		Set<String> columns = new LinkedHashSet<>();
		for (TableRule rule : rules.tables().values()) {
			columns.addAll(rule.columnsRead());
		}
		return new ChangeEventParser(columns);
	}

	public ChangeEvent parse(byte[] value) {
		try (JsonParser json = JSON.createParser(ObjectReadContext.empty(), value)) {
			if (json.nextToken() != JsonToken.START_OBJECT) {
				throw new MalformedChangeEventException("change record is not a JSON object");
			}
			Envelope envelope = new Envelope();
			while (json.nextToken() == JsonToken.PROPERTY_NAME) {
				String field = json.currentName();
				JsonToken token = json.nextToken();
				switch (field) {
					case "before" -> envelope.before = image(json, token);
					case "after" -> envelope.after = image(json, token);
					case "op" -> envelope.op = (token == JsonToken.VALUE_STRING) ? json.getString() : null;
					case "source" -> source(json, token, envelope);
					default -> json.skipChildren();
				}
			}
			return envelope.toEvent();
		}
		catch (JacksonException ex) {
			// the message names the position only; the payload is not copied into logs or headers
			throw new MalformedChangeEventException("change record is not a Debezium JSON envelope: "
					+ ex.getOriginalMessage(), ex);
		}
	}

	private @Nullable Map<String, Object> image(JsonParser json, JsonToken token) {
		if (token == JsonToken.VALUE_NULL) {
			return null;
		}
		if (token != JsonToken.START_OBJECT) {
			throw new MalformedChangeEventException("a row image must be an object or null");
		}
		Map<String, Object> row = new HashMap<>();
		while (json.nextToken() == JsonToken.PROPERTY_NAME) {
			String column = json.currentName();
			JsonToken valueToken = json.nextToken();
			if (this.columns != null && !this.columns.contains(column)) {
				json.skipChildren();
				continue;
			}
			row.put(column, value(json, valueToken));
		}
		return row;
	}

	private static @Nullable Object value(JsonParser json, JsonToken token) {
		return switch (token) {
			case VALUE_NULL -> null;
			case VALUE_STRING -> json.getString();
			// Integer, Long or BigInteger by size: what data binding into a Map gives
			case VALUE_NUMBER_INT -> json.getNumberValue();
			case VALUE_NUMBER_FLOAT -> json.getDoubleValue();
			case VALUE_TRUE -> Boolean.TRUE;
			case VALUE_FALSE -> Boolean.FALSE;
			default -> NESTED.readValue(json, Object.class);
		};
	}

	private static void source(JsonParser json, JsonToken token, Envelope envelope) {
		if (token != JsonToken.START_OBJECT) {
			json.skipChildren();
			return;
		}
		while (json.nextToken() == JsonToken.PROPERTY_NAME) {
			String field = json.currentName();
			JsonToken valueToken = json.nextToken();
			switch (field) {
				case "table" -> envelope.table = (valueToken == JsonToken.VALUE_STRING) ? json.getString() : null;
				case "ts_ms" -> envelope.commitTimeMillis = (valueToken == JsonToken.VALUE_NUMBER_INT) ? json.getLongValue() : 0;
				case "lsn" -> envelope.lsn = (valueToken == JsonToken.VALUE_NUMBER_INT) ? json.getLongValue() : 0;
				default -> json.skipChildren();
			}
		}
	}

	/** What one record said, filled in field by field as the parser meets them. */
	private static final class Envelope {

		@Nullable Map<String, Object> before;

		@Nullable Map<String, Object> after;

		@Nullable String op;

		@Nullable String table;

		long commitTimeMillis;

		long lsn;

		ChangeEvent toEvent() {
			if (this.op == null || this.table == null) {
				throw new MalformedChangeEventException("change record lacks 'op' or 'source.table'");
			}
			return new ChangeEvent(Operation.fromCode(this.op), this.table, this.before, this.after,
					this.commitTimeMillis, this.lsn);
		}
	}
}
