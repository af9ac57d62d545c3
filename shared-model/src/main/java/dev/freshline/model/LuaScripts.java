package dev.freshline.model;

/**
 * Redis scripts, kept as text here so every service runs the same one. Each takes its keys
 * through KEYS and its values through ARGV: no input is ever spliced into script text.
 */
public final class LuaScripts {

	/**
	 * Sliding expiry that never outlives the absolute limit. A cached value starts with its
	 * absolute deadline (13 digits of epoch millis); on a hit the key's TTL is pushed to
	 * {@code min(sliding, deadline - now)}. KEYS[1] = value key; ARGV[1] = sliding millis,
	 * ARGV[2] = now in epoch millis (from the caller: Redis 6 scripts may not read TIME and write).
	 */
	public static final String READ_SLIDING = """
			local value = redis.call('GET', KEYS[1])
			if value then
			  local remaining = tonumber(string.sub(value, 1, 13)) - tonumber(ARGV[2])
			  if remaining > 0 then
			    redis.call('PEXPIRE', KEYS[1], math.min(tonumber(ARGV[1]), remaining))
			  end
			end
			return value
			""";

	private LuaScripts() {
	}
}
