package dev.freshline.api.freshness;

import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.stereotype.Component;

import dev.freshline.model.Namespace;
import dev.freshline.model.Watermark;

/**
 * The {@code pipeline} health component: {@code UP} while every namespace's applied watermark is
 * within {@code max-staleness}; {@code DEGRADED} (answered with HTTP 200: the instance still
 * serves, from Postgres) while the fence bypasses the cache for one, with each watermark's age.
 */
@Component
class PipelineHealthIndicator implements HealthIndicator {

	static final Status DEGRADED = new Status("DEGRADED", "the fence bypasses the cache: reads go to Postgres");

	private final PipelineFence fence;

	PipelineHealthIndicator(PipelineFence fence) {
		this.fence = fence;
	}

	@Override
	public Health health() {
		if (!this.fence.settings().enabled()) {
			return Health.up().withDetail("fence", "off").build();
		}
		long bound = this.fence.settings().maxStaleness().toMillis();
		boolean degraded = false;
		Map<String, Object> namespaces = new LinkedHashMap<>();
		for (Namespace namespace : this.fence.namespaces()) {
			Map<String, Object> detail = new LinkedHashMap<>();
			var age = this.fence.ageMillis(namespace);
			if (age.isEmpty()) {
				degraded = true;
				detail.put("state", "bypass: no applied watermark");
			}
			else {
				boolean stale = age.get() > bound;
				degraded |= stale;
				detail.put("state", stale ? "bypass: stale" : "cached");
				detail.put("watermarkAgeMs", age.get());
				detail.put("watermarkLsn", Watermark.formatLsn(this.fence.applied(namespace).orElseThrow().lsn()));
			}
			namespaces.put(namespace.id(), detail);
		}
		return Health.status(degraded ? DEGRADED : Status.UP)
			.withDetail("maxStalenessMs", bound)
			.withDetail("clockOffsetMs", this.fence.clockOffsetMillis())
			.withDetail("clockUncertaintyMs", this.fence.clockUncertaintyMillis())
			.withDetail("namespaces", namespaces)
			.build();
	}
}
