package dev.freshline.cache;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.core.RedisTemplate;
import org.springframework.data.redis.serializer.RedisSerializer;

import dev.freshline.model.CacheKeys;

import static dev.freshline.cache.ProtocolScripts.bytes;

/**
 * The reader's side of the fill protocol, as the API sends it: read or take the lease, fill only
 * while holding it and not below the key's floor, give it back when there is nothing to store.
 * Each command is one script call on the value's keys (value, lease, floor), so the keys, the
 * arguments and the stored format are written here only; when to wait, retry or give up is the
 * caller's policy. Every Redis failure propagates.
 */
public final class FillCommands {

	private final RedisTemplate<String, byte[]> redis;

	private final CacheKeys keys;

	public FillCommands(RedisConnectionFactory connections, CacheKeys keys) {
		RedisTemplate<String, byte[]> template = new RedisTemplate<>();
		template.setConnectionFactory(connections);
		template.setKeySerializer(RedisSerializer.string());
		template.setValueSerializer(RedisSerializer.byteArray());
		template.afterPropertiesSet();
		this.redis = template;
		this.keys = keys;
	}

	/**
	 * Serves {@code key} if it is cached, or else leases it to {@code token} if nobody holds the
	 * lease. A hit's TTL slides to {@code min(sliding, deadline - now)}: never past the deadline
	 * in its {@link CachedValue} header.
	 *
	 * @param lease how long the lease lives if this read takes it
	 * @param sliding the TTL a hit is pushed to (zero: the TTL does not slide)
	 * @param nowMillis the caller's clock, epoch millis
	 */
	public ReadReply read(String key, String token, Duration lease, Duration sliding, long nowMillis) {
		List<Object> reply = this.redis.execute(ProtocolScripts.READ, List.of(key, this.keys.lease(key)), bytes(token),
				bytes(lease.toMillis()), bytes(sliding.toMillis()), bytes(nowMillis));
		// no reply is neither a hit nor a lease: the caller asks again, as when the lease is busy
		long outcome = (reply == null) ? 0 : (Long) reply.get(0);
		if (outcome == LuaScripts.HIT) {
			return ReadReply.hit((byte[]) reply.get(1));
		}
		if (outcome == LuaScripts.LEASED) {
			return ReadReply.of(ReadReply.Outcome.LEASED);
		}
		return ReadReply.of(ReadReply.Outcome.BUSY);
	}

	/**
	 * Stores {@code body} under {@code key} if {@code token} still holds the lease and
	 * {@code version} is not below the key's floor; a lease still held is given back either way.
	 *
	 * @param version the row version read (0: any floor refuses the fill)
	 * @param deadlineMillis the absolute end of the value's life, epoch millis, written into its header
	 * @param ttlMillis the value's first TTL, at most the time left until the deadline
	 */
	public FillOutcome fill(String key, String token, byte[] body, long version, long deadlineMillis, long ttlMillis) {
		byte[] stored = CachedValue.wrap(deadlineMillis, body);
		Long reply = this.redis.execute(ProtocolScripts.FILL, List.of(key, this.keys.lease(key), this.keys.floor(key)),
				bytes(token), stored, bytes(version), bytes(ttlMillis));
		return FillOutcome.of(reply);
	}

	/**
	 * Gives the lease on {@code key} back without filling, if {@code token} still holds it.
	 *
	 * @return whether it did
	 */
	public boolean release(String key, String token) {
		Long released = this.redis.execute(ProtocolScripts.RELEASE, List.of(this.keys.lease(key)), bytes(token));
		return released != null && released == 1;
	}

	/** The cached body of {@code key} without taking a lease; empty if none, or a "not found", is cached. */
	public Optional<byte[]> peek(String key) {
		byte[] stored = this.redis.opsForValue().get(key);
		return Optional.ofNullable(stored).map(CachedValue::body).filter((body) -> body.length > 0);
	}
}
