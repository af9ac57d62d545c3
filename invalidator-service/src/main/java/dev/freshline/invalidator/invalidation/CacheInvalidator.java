package dev.freshline.invalidator.invalidation;

import java.time.Duration;
import java.util.Set;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.stereotype.Component;

import dev.freshline.model.CapturedTable;
import dev.freshline.model.ChangeEvent;
import dev.freshline.model.InvalidationRules;
import dev.freshline.model.UnmappableChangeEventException;

/**
 * Applies one change to Redis and returns only once Redis replied, so the offset committed after
 * it never covers an invalidation that did not happen. Any Redis failure propagates to the
 * error handler, which retries it with back-off until it succeeds.
 */
@Component
class CacheInvalidator {

	private static final Logger log = LoggerFactory.getLogger(CacheInvalidator.class);

	private final InvalidationRules rules;

	private final StringRedisTemplate redis;

	private final NamespaceFlusher flusher;

	private final Counter keysDeleted;

	private final Timer lag;

	CacheInvalidator(InvalidationRules rules, StringRedisTemplate redis, NamespaceFlusher flusher,
			MeterRegistry meters) {
		this.rules = rules;
		this.redis = redis;
		this.flusher = flusher;
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
			case CREATE, UPDATE, DELETE, READ -> delete(this.rules.keysFor(event));
		}
		if (event.commitTimeMillis() > 0) {
			this.lag.record(Duration.ofMillis(Math.max(0, System.currentTimeMillis() - event.commitTimeMillis())));
		}
	}

	private void delete(Set<String> keys) {
		Long deleted = this.redis.unlink(keys);
		this.keysDeleted.increment(keys.size());
		log.debug("Invalidated {} (present: {})", keys, deleted);
	}
}
