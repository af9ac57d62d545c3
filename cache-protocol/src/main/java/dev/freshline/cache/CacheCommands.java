package dev.freshline.cache;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongConsumer;

import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.data.redis.connection.DataType;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.core.ConvertingCursor;
import org.springframework.data.redis.core.Cursor;
import org.springframework.data.redis.core.ScanOptions;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.ZSetOperations.TypedTuple;
import org.springframework.data.redis.core.script.RedisScript;

import dev.freshline.model.CacheKeys;
import dev.freshline.model.Invalidation;
import dev.freshline.model.InvalidatorStatus;
import dev.freshline.model.MalformedChangeEventException;
import dev.freshline.model.Namespace;
import dev.freshline.model.Watermark;

import static dev.freshline.cache.ProtocolScripts.bytes;

/**
 * Removes cache entries, and returns only once Redis replied to every command, so a caller that
 * acknowledges upstream afterwards (a Kafka offset) never covers an invalidation that did not
 * happen. Every failure propagates; callers retry, and every operation here is idempotent.
 * The reader's side of the protocol (read, fill, release) is {@link FillCommands}.
 * <ul>
 * <li>{@link #invalidate}: the invalidate script per key (value and lease deleted, floor
 * raised), pipelined: one round trip per batch instead of one per key.
 * <li>{@link #invalidateTag}: every entry registered in the tag's index ({@link #register}).
 * <li>{@link #flush}: every value, lease and floor of a namespace, SCAN + UNLINK in batches.
 * <li>{@link #recordWatermark}: a partition's applied watermark, once every invalidation before
 * it was answered.
 * <li>{@link #inspect}: reads only, each entry's value with its floor, for the consistency inspector.
 * </ul>
 */
public final class CacheCommands {

	private static final Logger log = LoggerFactory.getLogger(CacheCommands.class);

	private final RedisConnectionFactory connections;

	private final StringRedisTemplate redis;

	private final CacheKeys keys;

	private final byte[] floorTtlMillis;

	private final int batchSize;

	private final Duration timeout;

	/**
	 * @param floorTtl how long a raised floor lives: longer than the longest fill (the API's lease)
	 * @param batchSize keys per pipeline, SCAN page and UNLINK
	 * @param timeout how long to wait for Redis' replies to one batch
	 */
	public CacheCommands(RedisConnectionFactory connections, CacheKeys keys, Duration floorTtl, int batchSize,
			Duration timeout) {
		if (batchSize < 1) {
			throw new IllegalArgumentException("batch size must be positive");
		}
		this.connections = connections;
		this.redis = new StringRedisTemplate(connections);
		this.keys = keys;
		this.floorTtlMillis = bytes(Long.toString(floorTtl.toMillis()));
		this.batchSize = batchSize;
		this.timeout = timeout;
	}

	/** Runs the invalidate script for every key, {@code batchSize} per round trip. */
	public void invalidate(Collection<Invalidation> invalidations) {
		List<Invalidation> batch = new ArrayList<>(Math.min(invalidations.size(), this.batchSize));
		for (Invalidation invalidation : invalidations) {
			batch.add(invalidation);
			if (batch.size() == this.batchSize) {
				invalidateBatch(batch);
				batch.clear();
			}
		}
		if (!batch.isEmpty()) {
			invalidateBatch(batch);
		}
	}

	private void invalidateBatch(List<Invalidation> batch) {
		List<ScriptCall> calls = new ArrayList<>(batch.size());
		for (Invalidation invalidation : batch) {
			String key = invalidation.key();
			calls.add(new ScriptCall(new byte[][] { bytes(key), bytes(this.keys.lease(key)), bytes(this.keys.floor(key)) },
					bytes(Long.toString(invalidation.floor())), this.floorTtlMillis));
		}
		pipelined(ProtocolScripts.INVALIDATE, ScriptOutputType.INTEGER, calls);
	}

	/**
	 * Each key's value and floor as one script reads them, atomically: a value read before an
	 * invalidation and a floor read after it would look like an entry older than its floor.
	 * Pipelined, {@code batchSize} per round trip; only reads.
	 */
	public List<Inspection> inspect(List<String> valueKeys) {
		List<Inspection> inspections = new ArrayList<>(valueKeys.size());
		for (int from = 0; from < valueKeys.size(); from += this.batchSize) {
			List<String> batch = valueKeys.subList(from, Math.min(valueKeys.size(), from + this.batchSize));
			List<ScriptCall> calls = new ArrayList<>(batch.size());
			for (String key : batch) {
				calls.add(new ScriptCall(new byte[][] { bytes(key), bytes(this.keys.floor(key)) }));
			}
			List<Object> replies = pipelined(ProtocolScripts.INSPECT, ScriptOutputType.MULTI, calls);
			for (int i = 0; i < batch.size(); i++) {
				inspections.add(Inspection.of(batch.get(i), (List<?>) replies.get(i)));
			}
		}
		return inspections;
	}

	/** What {@link #inspect} read for one key: the stored value (null when none) and the floor (-1 when none). */
	public record Inspection(String key, byte @Nullable [] value, long floor) {

		static Inspection of(String key, List<?> reply) {
			byte[] value = (byte[]) reply.get(0);
			byte[] floor = (byte[]) reply.get(1);
			// the script answers an absent key as an empty string: a stored value is never empty (its header)
			return new Inspection(key, (value.length == 0) ? null : value,
					(floor.length == 0) ? -1 : Long.parseLong(new String(floor, StandardCharsets.US_ASCII)));
		}
	}

	/** One call of a script in a pipeline. */
	private record ScriptCall(byte[][] keys, byte[]... args) {
	}

	/**
	 * Sends every call without waiting for replies (Lettuce's async commands: that is the
	 * pipeline), then waits for all of them within the timeout. When Redis restarted or its script
	 * cache was flushed it loads the script once and sends the calls again: the protocol's scripts
	 * are idempotent or read only, so calls that did run are unharmed.
	 */
	private <T> List<T> pipelined(RedisScript<?> script, ScriptOutputType type, List<ScriptCall> calls) {
		try {
			return pipeline(script.getSha1(), type, calls);
		}
		catch (RedisNoScriptException ex) {
			try (RedisConnection connection = this.connections.getConnection()) {
				connection.scriptingCommands().scriptLoad(ProtocolScripts.text(script));
			}
			return pipeline(script.getSha1(), type, calls);
		}
	}

	@SuppressWarnings("unchecked")
	private <T> List<T> pipeline(String sha, ScriptOutputType type, List<ScriptCall> calls) {
		try (RedisConnection connection = this.connections.getConnection()) {
			RedisClusterAsyncCommands<byte[], byte[]> async = (RedisClusterAsyncCommands<byte[], byte[]>) connection
				.getNativeConnection();
			List<RedisFuture<T>> replies = new ArrayList<>(calls.size());
			for (ScriptCall call : calls) {
				replies.add(async.evalsha(sha, type, call.keys(), call.args()));
			}
			long deadline = System.nanoTime() + this.timeout.toNanos();
			List<T> results = new ArrayList<>(replies.size());
			for (RedisFuture<T> reply : replies) {
				results.add(await(reply, deadline));
			}
			return results;
		}
		catch (RedisNoScriptException ex) {
			throw ex; // pipelined loads the script and sends the calls again
		}
		catch (RedisException ex) {
			// Lettuce's own commands, which Spring's template does not translate (commands rejected
			// while disconnected, an error reply): one kind of failure for Redis, as Primaries gives
			throw new CacheCommandException("Redis failed a command", ex);
		}
	}

	private static <T> T await(RedisFuture<T> reply, long deadline) {
		try {
			return reply.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
		}
		catch (ExecutionException ex) {
			if (ex.getCause() instanceof RuntimeException cause) {
				throw cause;
			}
			throw new CacheCommandException("Redis failed a command", ex.getCause());
		}
		catch (TimeoutException ex) {
			reply.cancel(false);
			throw new CacheCommandException("Redis did not reply in time", ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new CacheCommandException("interrupted while waiting for Redis", ex);
		}
	}

	/**
	 * Invalidates every entry registered under {@code tag} (such as {@code hospital:7}) and removes
	 * exactly the index members it handled. A reader registers its entry before it reads Postgres
	 * with a member unique to that read, so a registration made while this runs survives it.
	 *
	 * @return the number of entries invalidated
	 */
	public long invalidateTag(String tag) {
		String index = this.keys.tagIndex(tag);
		// an index written by a version before the sorted sets is a plain set until its next registration
		boolean legacy = this.redis.type(index) == DataType.SET;
		long invalidated = 0;
		List<String> members = new ArrayList<>(this.batchSize);
		ScanOptions options = ScanOptions.scanOptions().count(this.batchSize).build();
		try (Cursor<String> cursor = legacy ? this.redis.opsForSet().scan(index, options)
				: new ConvertingCursor<>(this.redis.opsForZSet().scan(index, options), TypedTuple::getValue)) {
			while (cursor.hasNext()) {
				String member = cursor.next();
				if (member != null) {
					members.add(member);
				}
				if (members.size() == this.batchSize) {
					invalidated += invalidateMembers(index, members, legacy);
				}
			}
		}
		invalidated += invalidateMembers(index, members, legacy);
		log.debug("Invalidated tag {} ({} entries)", tag, invalidated);
		return invalidated;
	}

	private long invalidateMembers(String index, List<String> members, boolean legacy) {
		if (members.isEmpty()) {
			return 0;
		}
		List<Invalidation> entries = members.stream()
			.map(TagMembers::keyOf)
			.distinct()
			.map((key) -> new Invalidation(key, Invalidation.NO_FLOOR))
			.toList();
		invalidate(entries);
		// only after Redis confirmed the invalidations: a failure leaves the members for the retry
		if (legacy) {
			this.redis.opsForSet().remove(index, members.toArray());
		}
		else {
			this.redis.opsForZSet().remove(index, members.toArray());
		}
		members.clear();
		return entries.size();
	}

	/**
	 * Records {@code watermark} as the applied watermark of {@code table}'s change topic's
	 * {@code partition} ({@link CacheKeys#watermarks(String)}): an HSET, returning once Redis
	 * replied. The caller calls it only after every invalidation before the marker in that
	 * partition was answered. It overwrites rather than keeps the maximum: a marker delivered
	 * again (a rebalance, a restart from an older commit) moves the watermark back, which only
	 * makes a reader of it more careful, and an LSN never goes back otherwise.
	 */
	public void recordWatermark(String table, int partition, Watermark watermark) {
		this.redis.opsForHash().put(this.keys.watermarks(table), Integer.toString(partition), watermark.encode());
	}

	/**
	 * The applied watermark of each partition of {@code table}'s change topic that has one, as
	 * {@link #recordWatermark} left them: an HGETALL.
	 *
	 * @throws dev.freshline.model.MalformedChangeEventException if a field is not a partition's
	 * watermark: only the invalidator writes this hash, so it is never skipped as unreadable
	 */
	public Map<Integer, Watermark> appliedWatermarks(String table) {
		Map<Integer, Watermark> applied = new HashMap<>();
		this.redis.<String, String>opsForHash().entries(this.keys.watermarks(table)).forEach((partition, encoded) -> {
			try {
				applied.put(Integer.valueOf(partition), Watermark.parse(encoded));
			}
			catch (NumberFormatException ex) {
				throw new MalformedChangeEventException("not a partition in " + this.keys.watermarks(table) + ": " + partition);
			}
		});
		return applied;
	}

	/**
	 * Publishes {@code instance}'s status for the API's status page, the hash living {@code ttl}
	 * past the last write so it goes once no invalidator runs.
	 */
	public void publishStatus(String instance, InvalidatorStatus status, Duration ttl) {
		this.redis.opsForHash().put(this.keys.status(), instance, status.encode());
		this.redis.expire(this.keys.status(), ttl);
	}

	/** Every invalidator instance's last published status that can be read, by instance. */
	public Map<String, InvalidatorStatus> statuses() {
		Map<String, InvalidatorStatus> statuses = new TreeMap<>();
		this.redis.<String, String>opsForHash().entries(this.keys.status())
			.forEach((instance, encoded) -> InvalidatorStatus.parse(encoded).ifPresent((status) -> statuses.put(instance, status)));
		return statuses;
	}

	/**
	 * Registers a key in its tags' indexes before its reader loads it. Each index is a sorted set
	 * scored by its entries' expiry and pruned on every registration (expired members, and older
	 * members of the same key), so it stays as large as the entries that can still be cached,
	 * and lives as long as the longest of them.
	 *
	 * @param entryTtl how long the entry can live once filled: its TTL plus the lease
	 */
	public void register(List<String> tagIndexes, String key, String token, Duration entryTtl) {
		String member = TagMembers.member(key, token);
		for (String index : tagIndexes) {
			this.redis.execute(ProtocolScripts.REGISTER, List.of(index), member, Long.toString(entryTtl.toMillis()));
		}
	}

	/**
	 * Removes a read's registration once it knows it stored nothing (its fill was refused, or
	 * it gave its lease back), so the index does not keep naming an entry that does not exist.
	 */
	public void unregister(List<String> tagIndexes, String key, String token) {
		String member = TagMembers.member(key, token);
		for (String index : tagIndexes) {
			this.redis.opsForZSet().remove(index, member);
		}
	}

	/**
	 * Removes every value, lease and floor of {@code namespace} with SCAN + UNLINK in batches, on
	 * every primary of a cluster: never KEYS, which blocks Redis. Two passes, because SCAN only
	 * promises the keys that exist for its whole run: a fill leased before the flush either still
	 * holds its lease when the first pass ends (so the pass found and removed it, and the fill is
	 * refused), or it filled during the first pass, perhaps behind the cursor, and its value exists
	 * for the whole second pass, which removes it. A lease taken after the flush began reads Postgres after the change
	 * that caused the flush, so what it stores is not stale.
	 *
	 * @param progress told the running total after each batch
	 * @return the number of keys removed
	 */
	public long flush(Namespace namespace, LongConsumer progress) {
		return flush(namespace, progress, () -> {
		});
	}

	/** As {@link #flush(Namespace, LongConsumer)}, running {@code betweenPasses} after the first pass (tests). */
	long flush(Namespace namespace, LongConsumer progress, Runnable betweenPasses) {
		String pattern = this.keys.namespacePattern(namespace);
		long removed = unlinkMatching(pattern, 0, progress);
		betweenPasses.run();
		return unlinkMatching(pattern, removed, progress);
	}

	/**
	 * One pass: SCAN every primary (the one server of a single Redis, each primary of a cluster in
	 * turn: a SCAN command sees one node's keys) and UNLINK what it finds in batches. Lettuce's
	 * cluster-wide SCAN behind Spring's template also walks the primaries; going through
	 * {@link Primaries} instead makes the flush visit exactly the primaries the restart check
	 * does, and fail rather than skip one that failed but still serves slots. The two-pass
	 * argument above holds per primary: a value, its lease and its floor share a slot, so they
	 * live on the same primary.
	 */
	private long unlinkMatching(String pattern, long removedBefore, LongConsumer progress) {
		long[] removed = { removedBefore };
		Primaries.with(this.connections, (primaries) -> {
			for (Primaries.Primary primary : primaries) {
				List<String> batch = new ArrayList<>(this.batchSize);
				primary.scan(pattern, this.batchSize, (key) -> {
					batch.add(key);
					if (batch.size() == this.batchSize) {
						removed[0] += unlink(batch);
						progress.accept(removed[0]);
					}
					return true;
				});
				removed[0] += unlink(batch);
				progress.accept(removed[0]);
			}
			return removed[0];
		});
		return removed[0];
	}

	private long unlink(List<String> batch) {
		if (batch.isEmpty()) {
			return 0;
		}
		// one primary's keys span many slots: on a cluster Lettuce splits the UNLINK by slot
		Long removed = this.redis.unlink(batch);
		batch.clear();
		return (removed != null) ? removed : 0;
	}
}
