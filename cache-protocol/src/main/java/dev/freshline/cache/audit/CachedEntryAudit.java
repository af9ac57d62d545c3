package dev.freshline.cache.audit;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.api.sync.RedisCommands;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.freshline.cache.CachedValue;
import dev.freshline.model.CacheKeys;
import dev.freshline.model.Namespace;

/**
 * Every cached value of every namespace, compared with Postgres once the system is quiet: I1's
 * verdict for the torture checker and {@code scripts/chaos}. Leases, floors, tag indexes, the
 * applied watermarks and the invalidator's record of Redis' run id are protocol state, not values,
 * and are recognised by their key shape; a key of any other shape is reported as unchecked, so a
 * namespace added to the rules cannot slip past the audit. Every write raises its row's version
 * (a trigger), so a cached entity or list equals Postgres exactly when the ids and versions of its
 * rows do.
 */
public final class CachedEntryAudit {

	private static final JsonMapper json = JsonMapper.builder().build();

	private CachedEntryAudit() {
	}

	/**
	 * Scans {@code redis} for the keys of {@code keys}' prefix and compares each value with the rows
	 * {@code connection} (a role that may read the cached tables) returns now.
	 */
	public static Result audit(RedisCommands<String, String> redis, Connection connection, CacheKeys keys)
			throws SQLException {
		Namespace tags = keys.namespaceOf(keys.tagIndex("hospital:1"));
		Namespace watermarks = keys.namespaceOf(keys.watermarks("patient"));
		Result result = new Result(new TreeMap<>(), new TreeMap<>(), new ArrayList<>(), new ArrayList<>());
		for (String key : scan(redis, keys.prefix() + ":*")) {
			if (key.equals(keys.serverLifetime()) || key.equals(keys.status())) {
				continue; // the invalidator's record of Redis' run id, its status for the API: not entries
			}
			String entry = key.substring(0, key.lastIndexOf('}') + 1);
			if (keys.namespaceOf(key).equals(watermarks) && key.equals(entry)
					&& key.equals(keys.watermarks(entry.substring(entry.indexOf('{') + 1, entry.length() - 1)))) {
				continue; // a table's applied watermarks (a hash per partition), not an entry
			}
			if (keys.namespaceOf(key).equals(tags) || key.equals(keys.lease(entry)) || key.equals(keys.floor(entry))) {
				continue;
			}
			if (!key.equals(entry)) {
				result.unchecked().add(key);
				continue;
			}
			String stored = redis.get(key);
			if (stored == null) {
				continue; // expired between the scan and the read
			}
			String id = entry.substring(entry.indexOf('{') + 1, entry.length() - 1);
			List<String> current = current(connection, keys.namespaceOf(key), id);
			if (current == null) {
				result.unchecked().add(key);
				continue;
			}
			String body = new String(CachedValue.body(stored.getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8);
			// an empty body is a cached "not found"
			List<String> cached = body.isEmpty() ? List.of() : rows(json.readTree(body));
			String namespace = keys.namespaceOf(key).id();
			result.checked().merge(namespace, 1, Integer::sum);
			if (!cached.equals(current)) {
				result.stale().merge(namespace, 1, Integer::sum);
				if (result.examples().size() < 3) {
					result.examples().add(key + " cached " + cached + ", Postgres " + current);
				}
			}
		}
		return result;
	}

	private static List<String> scan(RedisCommands<String, String> redis, String pattern) {
		ScanArgs args = ScanArgs.Builder.matches(pattern).limit(1000);
		KeyScanCursor<String> cursor = redis.scan(args);
		List<String> found = new ArrayList<>(cursor.getKeys());
		while (!cursor.isFinished()) {
			cursor = redis.scan(cursor, args);
			found.addAll(cursor.getKeys());
		}
		return found;
	}

	/** The rows an entry of {@code namespace} would hold now, as id:version; null for an unknown namespace. */
	private static @Nullable List<String> current(Connection connection, Namespace namespace, String id)
			throws SQLException {
		if (namespace.equals(Namespace.PATIENT)) {
			return query(connection, "SELECT id, version FROM patient WHERE id = ?", Long.parseLong(id));
		}
		if (namespace.equals(Namespace.WARD)) {
			return query(connection, "SELECT id, version FROM patient WHERE ward = ? ORDER BY id", id);
		}
		if (namespace.equals(Namespace.FORMULARY)) {
			return query(connection, "SELECT id, version FROM formulary_item WHERE hospital_id = ? ORDER BY drug_name, id",
					Long.parseLong(id));
		}
		return null;
	}

	private static List<String> query(Connection connection, String sql, Object id) throws SQLException {
		try (PreparedStatement query = connection.prepareStatement(sql)) {
			query.setObject(1, id);
			List<String> rows = new ArrayList<>();
			try (ResultSet row = query.executeQuery()) {
				while (row.next()) {
					rows.add(row.getLong(1) + ":" + row.getLong(2));
				}
			}
			return rows;
		}
	}

	/** A cached entity (an object) or list (an array) as id:version of its rows. */
	private static List<String> rows(JsonNode body) {
		List<String> rows = new ArrayList<>();
		Iterable<JsonNode> list = body.isArray() ? body : List.of(body);
		for (JsonNode row : list) {
			rows.add(row.get("id").asLong() + ":" + row.get("version").asLong());
		}
		return rows;
	}

	/** Per namespace, the entries compared and those that differ from Postgres; keys of no known shape. */
	public record Result(Map<String, Integer> checked, Map<String, Integer> stale, List<String> examples,
			List<String> unchecked) {

		public int staleTotal() {
			return this.stale.values().stream().mapToInt(Integer::intValue).sum();
		}

		public int checkedTotal() {
			return this.checked.values().stream().mapToInt(Integer::intValue).sum();
		}

		/** e.g. {@code patient 31 (0 stale), ward 8 (1 stale), formulary 2 (0 stale)} */
		public String summary() {
			return this.checked.entrySet()
				.stream()
				.map((entry) -> entry.getKey() + " " + entry.getValue() + " (" + this.stale.getOrDefault(entry.getKey(), 0)
						+ " stale)")
				.collect(Collectors.joining(", "));
		}
	}
}
