package dev.freshline.invalidator.invalidation;

import java.util.ArrayList;
import java.util.List;

import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.data.redis.core.Cursor;
import org.springframework.data.redis.core.ScanOptions;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.stereotype.Component;

import dev.freshline.invalidator.InvalidatorProperties;
import dev.freshline.model.CacheKeys;
import dev.freshline.model.Namespace;

/**
 * The conservative fallback when a change cannot be mapped to keys: remove every key of the
 * namespace with SCAN + UNLINK in batches (never KEYS, which blocks Redis), logging progress.
 * The pattern is built from configuration and an enum only, never from record content.
 */
@Component
class NamespaceFlusher {

	private static final Logger log = LoggerFactory.getLogger(NamespaceFlusher.class);

	private final StringRedisTemplate redis;

	private final CacheKeys keys;

	private final int batchSize;

	private final MeterRegistry meters;

	NamespaceFlusher(StringRedisTemplate redis, CacheKeys keys, InvalidatorProperties properties, MeterRegistry meters) {
		this.redis = redis;
		this.keys = keys;
		this.batchSize = properties.flushBatchSize();
		this.meters = meters;
	}

	long flush(Namespace namespace) {
		String pattern = this.keys.namespacePattern(namespace);
		long removed = 0;
		List<String> batch = new ArrayList<>(this.batchSize);
		ScanOptions options = ScanOptions.scanOptions().match(pattern).count(this.batchSize).build();
		try (Cursor<String> cursor = this.redis.scan(options)) {
			while (cursor.hasNext()) {
				batch.add(cursor.next());
				if (batch.size() == this.batchSize) {
					removed += unlink(batch);
					log.info("Flushing namespace {}: {} keys removed so far", namespace.id(), removed);
				}
			}
		}
		removed += unlink(batch);
		this.meters.counter("freshline.invalidator.namespace.flushes", "namespace", namespace.id()).increment();
		log.warn("Flushed namespace {} ({} keys removed)", namespace.id(), removed);
		return removed;
	}

	private long unlink(List<String> batch) {
		if (batch.isEmpty()) {
			return 0;
		}
		Long removed = this.redis.unlink(batch);
		batch.clear();
		return removed == null ? 0 : removed;
	}
}
