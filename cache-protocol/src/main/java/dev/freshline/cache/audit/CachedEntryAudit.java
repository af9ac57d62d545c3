package dev.freshline.cache.audit;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.LongConsumer;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.api.sync.RedisCommands;
import org.jspecify.annotations.Nullable;

import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

import dev.freshline.cache.Primaries;
import dev.freshline.model.CacheKeys;
import dev.freshline.model.Invalidation;
import dev.freshline.model.Namespace;

/**
 * Cached values compared with Postgres: I1's verdict once the system is quiet for the torture
 * checker and {@code scripts/chaos} ({@link #audit}, every namespace), and the on-demand check of
 * {@code scripts/ops inspect} ({@link #namespace}, one namespace, at most a sample of it). Leases,
 * floors, tag indexes, the applied watermarks and the invalidator's record of Redis' run id are
 * protocol state, not values, and are recognised by their key shape; a key of any other shape is
 * reported as unchecked, so a namespace added to the rules cannot slip past the audit. Every
 * write raises its row's version (a trigger), so a cached entity or list equals Postgres exactly
 * when the ids and versions of its rows do; only those are read, from the value and from
 * Postgres, so no result carries patient data.
 */
public final class CachedEntryAudit {

	/** The namespaces this audit can compare, with the rows an entry of each would hold now. */
	public static final Set<Namespace> AUDITED = Set.of(Namespace.PATIENT, Namespace.WARD, Namespace.FORMULARY);

	/** Keys per SCAN page. */
	private static final int SCAN_COUNT = 1000;

	/** Stale entries {@link Result#examples()} describes. */
	private static final int EXAMPLES = 3;

	private final Cache cache;

	private final Connection connection;

	private final CacheKeys keys;

	/**
	 * @param connection a role that may read the ids, versions and key columns of the cached tables
	 * (the ops tool's {@code freshline_inspect} may read nothing else)
	 */
	public CachedEntryAudit(Cache cache, Connection connection, CacheKeys keys) {
		this.cache = cache;
		this.connection = connection;
		this.keys = keys;
	}

	/**
	 * Scans {@code redis} for every key of {@code keys}' prefix and compares each value with the
	 * rows {@code connection} returns now.
	 */
	public static Result audit(RedisCommands<String, String> redis, Connection connection, CacheKeys keys)
			throws SQLException {
		return new CachedEntryAudit(Cache.of(redis), connection, keys).everyNamespace();
	}

	/** Every key of the prefix: values compared, protocol state skipped, anything else unchecked. */
	public Result everyNamespace() throws SQLException {
		Result result = Result.empty();
		for (String key : scan(this.keys.prefix() + ":*", Integer.MAX_VALUE)) {
			if (!protocolState(key)) {
				check(key, result);
			}
		}
		return result;
	}

	/**
	 * The values of one namespace, at most {@code sample} of them: the first ones the SCAN of its
	 * pattern yields (SCAN's order is the hash table's, neither the ids' nor random), which stops
	 * there, so a sample of a large namespace costs only what it reads.
	 *
	 * @param progress told the number of values compared so far after each one
	 */
	public Result namespace(Namespace namespace, int sample, LongConsumer progress) throws SQLException {
		if (!AUDITED.contains(namespace)) {
			throw new IllegalArgumentException("the audit cannot compare namespace " + namespace + " with Postgres");
		}
		if (sample < 1) {
			throw new IllegalArgumentException("sample must be positive");
		}
		Result result = Result.empty();
		long compared = 0;
		for (String key : scan(this.keys.namespacePattern(namespace), sample)) {
			if (protocolState(key)) {
				continue;
			}
			int before = result.checkedTotal();
			check(key, result);
			if (result.checkedTotal() > before) {
				progress.accept(++compared);
			}
		}
		return result;
	}

	/**
	 * Keys matching {@code pattern}, until {@code limit} of them have the shape of a value (not a
	 * lease, floor or tag index): the scan stops there, mid-page.
	 */
	private List<String> scan(String pattern, int limit) {
		List<String> found = new ArrayList<>();
		int[] values = { 0 };
		this.cache.scan(pattern, (key) -> {
			found.add(key);
			if (!protocolState(key) && key.equals(entryOf(key))) {
				values[0]++;
			}
			return values[0] < limit;
		});
		return found;
	}

	/** Whether {@code key} is protocol state rather than a cached value or a key of unknown shape. */
	private boolean protocolState(String key) {
		if (this.keys.isServerLifetime(key) || key.equals(this.keys.status())) {
			// the invalidator's record of Redis' run id (one per primary of a cluster), its status for the API: not entries
			return true;
		}
		String entry = entryOf(key);
		Namespace namespace = this.keys.namespaceOf(key);
		if (namespace.equals(this.keys.namespaceOf(this.keys.watermarks("patient"))) && key.equals(entry)
				&& key.equals(this.keys.watermarks(idOf(entry)))) {
			return true; // a table's applied watermarks (a hash per partition), not an entry
		}
		return namespace.equals(this.keys.namespaceOf(this.keys.tagIndex("hospital:1")))
				|| key.equals(this.keys.lease(entry)) || key.equals(this.keys.floor(entry));
	}

	/** Compares the value of {@code key} (not protocol state) with Postgres into {@code result}. */
	private void check(String key, Result result) throws SQLException {
		if (!key.equals(entryOf(key))) {
			result.unchecked().add(key);
			return;
		}
		Namespace namespace = this.keys.namespaceOf(key);
		if (!AUDITED.contains(namespace)) {
			result.unchecked().add(key);
			return;
		}
		String stored = this.cache.get(key);
		if (stored == null) {
			return; // expired or invalidated between the scan and the read
		}
		List<String> current = current(namespace, idOf(key));
		// a cached "not found" has no rows
		List<String> cached = CachedRows.of(stored.getBytes(StandardCharsets.UTF_8)).rows().stream()
			.map(CachedRows.Row::toString)
			.toList();
		result.checked().merge(namespace.id(), 1, Integer::sum);
		if (!cached.equals(current)) {
			result.stale().merge(namespace.id(), 1, Integer::sum);
			result.staleEntries().add(new StaleEntry(key, namespace, cached, current, floor(namespace, current)));
		}
	}

	private static String entryOf(String key) {
		return key.substring(0, key.lastIndexOf('}') + 1);
	}

	private static String idOf(String entry) {
		return entry.substring(entry.indexOf('{') + 1, entry.length() - 1);
	}

	/**
	 * The floor an invalidation of a stale entry raises: an entity's row version now (a fill of
	 * any older row is refused), above any version if the row is gone, as a delete's invalidation
	 * does; none for a list, which the lease alone guards.
	 */
	private static long floor(Namespace namespace, List<String> current) {
		if (!namespace.equals(Namespace.PATIENT)) {
			return Invalidation.NO_FLOOR;
		}
		if (current.isEmpty()) {
			return Invalidation.DELETED;
		}
		String row = current.get(0);
		return Long.parseLong(row.substring(row.indexOf(':') + 1));
	}

	/** The rows an entry of {@code namespace} would hold now, as id:version. */
	private List<String> current(Namespace namespace, String id) throws SQLException {
		if (namespace.equals(Namespace.PATIENT)) {
			return query("SELECT id, version FROM patient WHERE id = ?", Long.parseLong(id));
		}
		if (namespace.equals(Namespace.WARD)) {
			return query("SELECT id, version FROM patient WHERE ward = ? ORDER BY id", id);
		}
		return query("SELECT id, version FROM formulary_item WHERE hospital_id = ? ORDER BY drug_name, id",
				Long.parseLong(id));
	}

	private List<String> query(String sql, Object id) throws SQLException {
		try (PreparedStatement query = this.connection.prepareStatement(sql)) {
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

	/**
	 * The two Redis reads the audit makes, so it runs over a Lettuce connection (the torture
	 * checker, chaos) or a Spring connection factory (the ops tool) alike.
	 */
	public interface Cache {

		/** Calls {@code key} with each key SCAN yields for {@code pattern}, until it returns false. */
		void scan(String pattern, Predicate<String> key);

		@Nullable String get(String key);

		static Cache of(RedisCommands<String, String> redis) {
			return new Cache() {

				@Override
				public void scan(String pattern, Predicate<String> key) {
					ScanArgs args = ScanArgs.Builder.matches(pattern).limit(SCAN_COUNT);
					KeyScanCursor<String> cursor = redis.scan(args);
					while (true) {
						for (String found : cursor.getKeys()) {
							if (!key.test(found)) {
								return;
							}
						}
						if (cursor.isFinished()) {
							return;
						}
						cursor = redis.scan(cursor, args);
					}
				}

				@Override
				public @Nullable String get(String key) {
					return redis.get(key);
				}
			};
		}

		static Cache of(RedisConnectionFactory connections) {
			StringRedisTemplate redis = new StringRedisTemplate(connections);
			return new Cache() {

				/** Every primary's keys: a cluster's SCAN sees one node only. */
				@Override
				public void scan(String pattern, Predicate<String> key) {
					Primaries.scan(connections, pattern, SCAN_COUNT, key);
				}

				@Override
				public @Nullable String get(String key) {
					return redis.opsForValue().get(key);
				}
			};
		}
	}

	/**
	 * A cached value that differs from Postgres: its key, the rows (id:version) it holds and those
	 * Postgres holds now, and the floor its invalidation raises ({@link Invalidation#NO_FLOOR} for
	 * a list). No other column, so it can be printed.
	 */
	public record StaleEntry(String key, Namespace namespace, List<String> cached, List<String> current, long floor) {

		/** What removes it by the protocol: value and lease deleted, the floor raised to {@link #floor()}. */
		public Invalidation invalidation() {
			return new Invalidation(this.key, this.floor);
		}

		@Override
		public String toString() {
			return this.key + " cached " + this.cached + ", Postgres " + this.current;
		}
	}

	/**
	 * Per namespace, the values compared and those that differ from Postgres; the stale entries
	 * themselves; keys of no known shape.
	 */
	public record Result(Map<String, Integer> checked, Map<String, Integer> stale, List<StaleEntry> staleEntries,
			List<String> unchecked) {

		static Result empty() {
			return new Result(new TreeMap<>(), new TreeMap<>(), new ArrayList<>(), new ArrayList<>());
		}

		public int staleTotal() {
			return this.stale.values().stream().mapToInt(Integer::intValue).sum();
		}

		public int checkedTotal() {
			return this.checked.values().stream().mapToInt(Integer::intValue).sum();
		}

		/** The first few stale entries, e.g. {@code freshline:patient:{42} cached [42:1], Postgres [42:2]}. */
		public List<String> examples() {
			return this.staleEntries.stream().limit(EXAMPLES).map(StaleEntry::toString).toList();
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
