package dev.freshline.cache.audit;

import java.util.ArrayList;
import java.util.List;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.freshline.cache.CachedValue;

/**
 * The rows of a stored value as id and version, in the order the value holds them: a cached
 * entity (a JSON object), a list (an array) or a cached "not found" (an empty body). Every write
 * raises its row's version (a trigger), so comparing ids and versions is comparing contents,
 * without reading any other field of a patient. The audit and the consistency inspector both
 * read entries through it.
 */
public final class CachedRows {

	private static final JsonMapper json = JsonMapper.builder().build();

	private final boolean list;

	private final List<Row> rows;

	private CachedRows(boolean list, List<Row> rows) {
		this.list = list;
		this.rows = rows;
	}

	/** One row of a value. */
	public record Row(long id, long version) {

		@Override
		public String toString() {
			return this.id + ":" + this.version;
		}
	}

	/** Parses a value as stored ({@link CachedValue}: its deadline, then the JSON body). */
	public static CachedRows of(byte[] stored) {
		byte[] body = CachedValue.body(stored);
		if (body.length == 0) {
			return new CachedRows(false, List.of());
		}
		JsonNode tree = json.readTree(body);
		List<Row> rows = new ArrayList<>();
		for (JsonNode row : tree.isArray() ? tree : List.of(tree)) {
			rows.add(new Row(row.get("id").asLong(), row.get("version").asLong()));
		}
		return new CachedRows(tree.isArray(), List.copyOf(rows));
	}

	/** Whether the value is a list of rows, not one entity (or its absence). */
	public boolean list() {
		return this.list;
	}

	/** The rows, in the value's order; none for a cached "not found". */
	public List<Row> rows() {
		return this.rows;
	}

	/**
	 * The version of a cached entity: its row's, or 0 for a cached "not found", which is stored
	 * with version 0 so that any floor refuses it.
	 */
	public long entityVersion() {
		return this.rows.isEmpty() ? 0 : this.rows.get(0).version();
	}

	/** The version at which row {@code id} is cached here, or -1 when it is not in this value. */
	public long versionOf(long id) {
		for (Row row : this.rows) {
			if (row.id() == id) {
				return row.version();
			}
		}
		return -1;
	}
}
