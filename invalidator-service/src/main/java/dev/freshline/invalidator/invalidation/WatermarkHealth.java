package dev.freshline.invalidator.invalidation;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

import dev.freshline.invalidator.InvalidatorProperties;
import dev.freshline.model.Watermark;

/**
 * Running listeners are not enough: one that retries a record forever, or a Redis that refuses
 * the watermark's HSET, keeps every container running while the API's fence bypasses the cache
 * for lack of an advancing watermark. DOWN while a marker the consumer fetched has waited longer
 * than {@code freshline.invalidator.watermark-stall} with nothing of its partition applied, with
 * the partitions, their newest fetched and last applied markers in the details. Without markers
 * (the connector's {@code CDC_MARKERS=false}) nothing waits, and health is what the listeners say.
 */
@Component
class WatermarkHealth implements HealthIndicator {

	private final WatermarkProgress progress;

	private final Duration threshold;

	WatermarkHealth(WatermarkProgress progress, InvalidatorProperties properties) {
		this.progress = progress;
		this.threshold = properties.watermarkStall();
	}

	@Override
	public Health health() {
		List<WatermarkProgress.Stall> stalls = this.progress.stalls(this.threshold);
		Health.Builder health = stalls.isEmpty() ? Health.up() : Health.down();
		health.withDetail("stallThreshold", this.threshold.toString())
			.withDetail("partitionsWithMarkers", this.progress.partitionsWithMarkers());
		if (!stalls.isEmpty()) {
			Map<String, Object> stalled = new LinkedHashMap<>();
			long now = System.currentTimeMillis();
			for (WatermarkProgress.Stall stall : stalls) {
				Map<String, Object> detail = new LinkedHashMap<>();
				detail.put("waitingMillis", stall.waited().toMillis());
				detail.put("newestSeen", describe(stall.seen(), now));
				WatermarkProgress.Marker applied = stall.applied();
				detail.put("lastApplied", (applied != null) ? describe(applied, now) : "none since the partition was assigned");
				stalled.put(stall.partition().toString(), detail);
			}
			health.withDetail("stalled", stalled);
		}
		return health.build();
	}

	/**
	 * A marker's offset and watermark; {@code ageMillis} is its commit's age by this host's clock
	 * against Postgres' commit time, so clock skew shifts it.
	 */
	private static Map<String, Object> describe(WatermarkProgress.Marker marker, long now) {
		Map<String, Object> detail = new LinkedHashMap<>();
		detail.put("offset", marker.offset());
		Watermark watermark = marker.watermark();
		if (watermark == null) {
			detail.put("watermark", "unreadable");
			return detail;
		}
		detail.put("lsn", Watermark.formatLsn(watermark.lsn()));
		detail.put("commitMillis", watermark.commitMillis());
		detail.put("ageMillis", now - watermark.commitMillis());
		return detail;
	}
}
