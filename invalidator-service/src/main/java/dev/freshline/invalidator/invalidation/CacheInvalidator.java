package dev.freshline.invalidator.invalidation;

import java.time.Duration;
import java.util.List;
import java.util.Set;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.DefaultRedisScript;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.stereotype.Component;

import dev.freshline.invalidator.InvalidatorProperties;
import dev.freshline.model.CacheKeys;
import dev.freshline.model.CapturedTable;
import dev.freshline.model.ChangeEvent;
import dev.freshline.model.Invalidation;
import dev.freshline.model.InvalidationRules;
import dev.freshline.model.LuaScripts;
import dev.freshline.model.UnmappableChangeEventException;

/**
 * Applies one change to Redis with the fill protocol's invalidate script (value and lease
 * deleted, floor raised) and returns only once Redis replied, so the offset committed after
 * it never covers an invalidation that did not happen. Any Redis failure propagates to the
 * error handler, which retries it with back-off until it succeeds.
 */
@Component
class CacheInvalidator {

	private static final Logger log = LoggerFactory.getLogger(CacheInvalidator.class);

	private static final RedisScript<Long> INVALIDATE = new DefaultRedisScript<>(LuaScripts.INVALIDATE, Long.class);

	private final InvalidationRules rules;

	private final CacheKeys keys;

	private final String floorTtlMillis;

	private final InvalidationHooks hooks;

	private final StringRedisTemplate redis;

	private final NamespaceFlusher flusher;

	private final Counter keysDeleted;

	private final Timer lag;

	CacheInvalidator(InvalidationRules rules, CacheKeys keys, StringRedisTemplate redis, NamespaceFlusher flusher,
			InvalidatorProperties properties, ObjectProvider<InvalidationHooks> hooks, MeterRegistry meters) {
		this.rules = rules;
		this.keys = keys;
		this.redis = redis;
		this.flusher = flusher;
		this.floorTtlMillis = Long.toString(properties.floorTtl().toMillis());
		this.hooks = hooks.getIfAvailable(() -> InvalidationHooks.NONE);
		this.keysDeleted = meters.counter("freshline.invalidator.keys.deleted");
		this.lag = Timer.builder("freshline.invalidator.lag")
			.description("Commit in Postgres to keys deleted in Redis")
			.publishPercentiles(0.5, 0.99)
			.register(meters);
	}

	void apply(ChangeEvent event) {
		switch (event.operation()) {
			case TRUNCATE -> {
				CapturedTable table = CapturedTable.byName(event.table())
					.orElseThrow(() -> new UnmappableChangeEventException("TRUNCATE of unknown table " + event.table()));
				log.info("TRUNCATE of {}: flushing namespace {}", event.table(), table.namespace().id());
				this.flusher.flush(table.namespace());
			}
			case MESSAGE -> log.debug("Ignoring a logical decoding message on {}", event.table());
			case CREATE, UPDATE, DELETE, READ -> invalidate(this.rules.invalidationsFor(event));
		}
		if (event.commitTimeMillis() > 0) {
			this.lag.record(Duration.ofMillis(Math.max(0, System.currentTimeMillis() - event.commitTimeMillis())));
		}
	}

	private void invalidate(Set<Invalidation> invalidations) {
		for (Invalidation invalidation : invalidations) {
			String key = invalidation.key();
			this.hooks.beforeDelete(key);
			// one script per key: value and lease gone, floor raised, all in the key's own slot
			this.redis.execute(INVALIDATE, List.of(key, this.keys.lease(key), this.keys.floor(key)),
					Long.toString(invalidation.floor()), this.floorTtlMillis);
			this.hooks.afterDelete(key);
			log.debug("Invalidated {} (floor {})", key, invalidation.floor());
		}
		this.keysDeleted.increment(invalidations.size());
	}
}
