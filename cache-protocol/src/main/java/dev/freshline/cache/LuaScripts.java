package dev.freshline.cache;

/**
 * The fill protocol's Redis scripts (docs/design.md), kept as text here so that the API and the
 * invalidator run the same ones; {@link FillCommands} and {@link CacheCommands} send them. Each
 * takes its keys through KEYS and its values through ARGV: no input is ever spliced into script
 * text. The keys of one entity (value, lease, floor) share a hash tag, so each script touches
 * one Redis Cluster slot.
 */
public final class LuaScripts {

	/** {@link #READ} reply: the value is cached; the second element holds it. */
	public static final long HIT = 1;

	/** {@link #READ} reply: this caller holds the lease and should load and fill. */
	public static final long LEASED = 2;

	/** {@link #READ} reply: another caller holds the lease. */
	public static final long BUSY = 3;

	/**
	 * Read or lease. KEYS: value, lease. ARGV: token, lease millis, sliding millis (0 = off), now
	 * in epoch millis (passed in: Redis 6 scripts may not read TIME and then write). A stored
	 * value starts with its absolute deadline ({@link CachedValue}: 13 digits of epoch millis), so
	 * sliding expiry can push the TTL to {@code min(sliding, deadline - now)} and never past the
	 * absolute limit. The header's length comes from {@link CachedValue#HEADER_LENGTH}, the one
	 * place the layout is written down.
	 */
	public static final String READ = """
			local value = redis.call('GET', KEYS[1])
			if value then
			  local sliding = tonumber(ARGV[3])
			  if sliding > 0 then
			    local remaining = tonumber(string.sub(value, 1, %d)) - tonumber(ARGV[4])
			    if remaining > 0 then
			      redis.call('PEXPIRE', KEYS[1], math.min(sliding, remaining))
			    end
			  end
			  return {1, value}
			end
			if redis.call('SET', KEYS[2], ARGV[1], 'NX', 'PX', ARGV[2]) then
			  return {2}
			end
			return {3}
			""".formatted(CachedValue.HEADER_LENGTH);

	/**
	 * Fill, only if the caller still holds the lease and its version is not below the floor.
	 * KEYS: value, lease, floor. ARGV: token, stored value, version, ttl millis. Returns 1 if
	 * stored, 0 if the lease was lost (invalidated or expired), -1 if below the floor.
	 */
	public static final String FILL = """
			if redis.call('GET', KEYS[2]) ~= ARGV[1] then
			  return 0
			end
			redis.call('DEL', KEYS[2])
			local floor = redis.call('GET', KEYS[3])
			if floor and tonumber(ARGV[3]) < tonumber(floor) then
			  return -1
			end
			redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[4])
			return 1
			""";

	/**
	 * Inspect: an entry's value and its floor in one atomic read, each as an empty string when
	 * absent (a Lua table cannot hold a nil). KEYS: value, floor. Reads only.
	 */
	public static final String INSPECT = """
			return {redis.call('GET', KEYS[1]) or '', redis.call('GET', KEYS[2]) or ''}
			""";

	/** Give a lease back without filling (nothing to store). KEYS: lease. ARGV: token. */
	public static final String RELEASE = """
			if redis.call('GET', KEYS[1]) == ARGV[1] then
			  return redis.call('DEL', KEYS[1])
			end
			return 0
			""";

	/**
	 * Invalidate: delete value and lease, raise the floor to the change's version (0 = no floor,
	 * for collections). Idempotent and commutative: replays and reordering leave the same floor.
	 * KEYS: value, lease, floor. ARGV: version, floor ttl millis.
	 */
	public static final String INVALIDATE = """
			redis.call('DEL', KEYS[1], KEYS[2])
			local version = tonumber(ARGV[1])
			if version > 0 then
			  local floor = redis.call('GET', KEYS[3])
			  if (not floor) or version > tonumber(floor) then
			    redis.call('SET', KEYS[3], ARGV[1], 'PX', ARGV[2])
			  else
			    redis.call('PEXPIRE', KEYS[3], ARGV[2])
			  end
			end
			return 1
			""";

	/**
	 * Register an entry in a tag index before its reader loads it. KEYS: the index. ARGV: member
	 * ({@code <key>|<token>}), how long the entry can live in millis (TTL plus lease). The index
	 * is a sorted set scored by expiry, kept bounded by the entries that can still be cached:
	 * members past their expiry go here, and a read that stores nothing removes its own member.
	 * Expiry is taken from Redis' clock ({@code TIME}, allowed before writes once the script
	 * replicates its effects, which Redis 7 always does and 6.2 does on request): with the API
	 * hosts' clocks, a host running ahead would prune members that other hosts' live entries still
	 * need, and a tag invalidation would miss those entries. Other members of the same key stay:
	 * this script cannot see the key's lease, so a read whose lease was lost must not remove the
	 * registration of the read that holds it now. An index left as a plain set by an earlier
	 * version is converted, its members kept until the new expiry. The index lives at least as
	 * long as the entry just registered.
	 */
	public static final String REGISTER = """
			redis.replicate_commands()
			local time = redis.call('TIME')
			local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
			local expiry = string.format('%.0f', now + tonumber(ARGV[2]))
			if redis.call('TYPE', KEYS[1])['ok'] == 'set' then
			  local legacy = redis.call('SMEMBERS', KEYS[1])
			  redis.call('DEL', KEYS[1])
			  for _, member in ipairs(legacy) do
			    redis.call('ZADD', KEYS[1], expiry, member)
			  end
			end
			redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. string.format('%.0f', now))
			redis.call('ZADD', KEYS[1], expiry, ARGV[1])
			if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[2]) then
			  redis.call('PEXPIRE', KEYS[1], ARGV[2])
			end
			return 1
			""";

	private LuaScripts() {
	}
}
