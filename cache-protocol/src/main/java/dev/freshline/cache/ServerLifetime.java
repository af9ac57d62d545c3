package dev.freshline.cache;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

import io.lettuce.core.cluster.SlotHash;
import org.jspecify.annotations.Nullable;

import org.springframework.data.redis.connection.RedisConnectionFactory;

import dev.freshline.model.CacheKeys;

/**
 * Which lifetime of each Redis server the cache's contents belong to. Redis gives every start of
 * its process a new random {@code run_id}; a replica promoted after a failover has its own. The
 * run id recorded in Redis itself travels with the data: a restart that loads a snapshot (RDB or
 * AOF) brings back the run id recorded when that snapshot was written, a promoted replica holds
 * the one its primary recorded. Either way the recorded id differs from the server's own, which
 * is how a server that may have lost acknowledged deletes is told from one that has not.
 *
 * <p>A Redis Cluster is checked per primary ({@link Primaries}): each primary's record lives in a
 * slot of its own ({@link CacheKeys#serverLifetime(String)} with a hash tag that hashes to the
 * primary's lowest slot), so a failover of any one primary is seen on the replica that replaced
 * it. A single Redis keeps its one record at {@link CacheKeys#serverLifetime()}.
 */
public final class ServerLifetime {

	/** One primary's run id now and the one recorded with its data (null when none is). */
	public record Lifetime(String server, String current, @Nullable String recorded) {

		/** Whether the data may belong to another lifetime than the server's own. */
		public boolean changed() {
			return !this.current.equals(this.recorded);
		}
	}

	private final RedisConnectionFactory connections;

	private final CacheKeys keys;

	/** A hash tag per slot, found once: the search costs a few thousand CRC16s per slot. */
	private final Map<Integer, String> tags = new ConcurrentHashMap<>();

	public ServerLifetime(RedisConnectionFactory connections, CacheKeys keys) {
		this.connections = connections;
		this.keys = keys;
	}

	/** Every primary's lifetime now, read from the primary itself; changes nothing. */
	public List<Lifetime> lifetimes() {
		return Primaries.with(this.connections, (primaries) -> {
			List<Lifetime> lifetimes = new ArrayList<>(primaries.size());
			for (Primaries.Primary primary : primaries) {
				lifetimes.add(lifetimeOf(primary));
			}
			return lifetimes;
		});
	}

	/**
	 * Reads every primary's lifetime; if any changed, runs {@code beforeRecording} with those (the
	 * invalidator flushes there), and only once it returned records each one's own run id on
	 * that primary. A failure anywhere leaves the old records, so the next call sees the same
	 * changes again.
	 *
	 * @return the lifetimes that changed, empty when none did
	 */
	public List<Lifetime> reconcile(Consumer<List<Lifetime>> beforeRecording) {
		return Primaries.with(this.connections, (primaries) -> {
			List<Primaries.Primary> changedPrimaries = new ArrayList<>();
			List<Lifetime> changed = new ArrayList<>();
			for (Primaries.Primary primary : primaries) {
				Lifetime lifetime = lifetimeOf(primary);
				if (lifetime.changed()) {
					changedPrimaries.add(primary);
					changed.add(lifetime);
				}
			}
			if (changed.isEmpty()) {
				return changed;
			}
			beforeRecording.accept(List.copyOf(changed));
			for (int i = 0; i < changed.size(); i++) {
				Primaries.Primary primary = changedPrimaries.get(i);
				primary.commands().set(bytes(recordKey(primary)), bytes(changed.get(i).current()));
			}
			return changed;
		});
	}

	private Lifetime lifetimeOf(Primaries.Primary primary) {
		String runId = runId(primary.commands().info("server"));
		if (runId == null) {
			throw new IllegalStateException("Redis' INFO server on " + primary.name() + " has no run_id");
		}
		byte[] recorded = primary.commands().get(bytes(recordKey(primary)));
		return new Lifetime(primary.name(), runId,
				(recorded != null) ? new String(recorded, StandardCharsets.UTF_8) : null);
	}

	/** Where {@code primary}'s record lives: on that primary, by its slot's hash tag on a cluster. */
	private String recordKey(Primaries.Primary primary) {
		if (!primary.clustered()) {
			return this.keys.serverLifetime();
		}
		return this.keys.serverLifetime(this.tags.computeIfAbsent(primary.slot(), this::tagFor));
	}

	/** The first decimal number that, as the record key's hash tag, hashes to {@code slot}. */
	private String tagFor(int slot) {
		for (long candidate = 0;; candidate++) {
			String tag = Long.toString(candidate);
			if (SlotHash.getSlot(this.keys.serverLifetime(tag)) == slot) {
				return tag;
			}
		}
	}

	private static @Nullable String runId(@Nullable String info) {
		if (info == null) {
			return null;
		}
		return info.lines()
			.filter((line) -> line.startsWith("run_id:"))
			.map((line) -> line.substring("run_id:".length()).trim())
			.filter((id) -> !id.isEmpty())
			.findFirst()
			.orElse(null);
	}

	private static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}
}
