package dev.freshline.api.freshness;

import java.util.Locale;

/** Why a read went to Postgres without asking Redis: the {@code reason} tag of {@code freshline.cache.bypassed}. */
public enum BypassReason {

	/** The namespace's applied watermark is older than {@code max-staleness}: invalidation is behind or stopped. */
	STALE_PIPELINE,

	/** No applied watermark for a partition that feeds the namespace: markers have not reached Redis yet. */
	NO_WATERMARK,

	/** The request's {@code Freshline-After} position was not applied within {@code fence.after-wait}. */
	AFTER_NOT_APPLIED,

	/** Redis failed or missed the read budget (fail-open). */
	REDIS_FAILED;

	/** The metric tag and the health detail. */
	public String tag() {
		return name().toLowerCase(Locale.ROOT).replace('_', '-');
	}
}
