package dev.freshline.cache.audit;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.freshline.cache.CachedValue;

/**
 * The rows of a stored value as id and version: a cached entity (a JSON object), a list (an
 * array) or a cached "not found" (an empty body). Every write raises its row's version (a
 * trigger), so comparing ids and versions is comparing contents, without reading any other field
 * of a patient.
 */
public final class CachedRows {

	private static final JsonMapper json = JsonMapper.builder().build();

	private final boolean list;

	private final Map<Long, Long> versions;

	private CachedRows(boolean list, Map<Long, Long> versions) {
		this.list = list;
		this.versions = versions;
	}

	/** Parses a value as stored ({@link CachedValue}: its deadline, then the JSON body). */
	public static CachedRows of(byte[] stored) {
		byte[] body = CachedValue.body(stored);
		if (body.length == 0) {
			return new CachedRows(false, Map.of());
		}
		JsonNode tree = json.readTree(body);
		Map<Long, Long> versions = new HashMap<>();
		for (JsonNode row : tree.isArray() ? tree : List.of(tree)) {
			versions.put(row.get("id").asLong(), row.get("version").asLong());
		}
		return new CachedRows(tree.isArray(), versions);
	}

	/** Whether the value is a list of rows, not one entity (or its absence). */
	public boolean list() {
		return this.list;
	}

	/**
	 * The version of a cached entity: its row's, or 0 for a cached "not found", which is stored
	 * with version 0 so that any floor refuses it.
	 */
	public long entityVersion() {
		return this.versions.isEmpty() ? 0 : this.versions.values().iterator().next();
	}

	/** The version at which row {@code id} is cached here, or -1 when it is not in this value. */
	public long versionOf(long id) {
		return this.versions.getOrDefault(id, -1L);
	}
}
