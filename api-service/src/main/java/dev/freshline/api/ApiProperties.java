package dev.freshline.api;

import java.time.Duration;

import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import dev.freshline.model.RuleSet;

/**
 * The API's settings, validated at start: the key prefix, the invalidation rules file (shared
 * with the invalidator, so both build the same keys), the fill protocol, each namespace's expiry
 * and the freshness fence.
 */
@Validated
@ConfigurationProperties("freshline.api")
public record ApiProperties(@DefaultValue("freshline") @Pattern(regexp = "[a-z0-9][a-z0-9_-]{0,62}") String keyPrefix,
		@DefaultValue(RuleSet.DEFAULT_LOCATION) @NotBlank String rules, @Valid @DefaultValue Cache cache,
		@Valid @DefaultValue Fence fence) {

	/**
	 * The freshness fence (docs/design.md, the watermark fence): the cache is used only while the
	 * invalidator's applied watermarks for a namespace are at most {@code maxStaleness} old by
	 * Postgres' clock; past that every read of the namespace goes to Postgres and fills nothing.
	 * A read asking for {@code Freshline-After} waits up to {@code afterWait} for the watermark to
	 * cover it. {@code refresh}: how often the watermarks are read from Redis (never per
	 * request); {@code clockSync}: how often this host's clock offset to Postgres' is measured.
	 * Turn it off only where the connector writes no markers ({@code CDC_MARKERS=false}): with no
	 * watermark it would bypass the cache for good.
	 */
	public record Fence(@DefaultValue("true") boolean enabled, @DefaultValue("2s") Duration maxStaleness,
			@DefaultValue("50ms") Duration afterWait, @DefaultValue("10ms") Duration refresh,
			@DefaultValue("5s") Duration clockSync) {

		public Fence {
			// a refresh as slow as the bound would make the bound itself the refresh's jitter
			if (refresh.isZero() || refresh.isNegative() || refresh.compareTo(maxStaleness) >= 0) {
				throw new IllegalArgumentException("freshline.api.fence.refresh (" + refresh
						+ ") must be positive and shorter than freshline.api.fence.max-staleness (" + maxStaleness + ")");
			}
			if (afterWait.isNegative() || clockSync.isZero() || clockSync.isNegative()) {
				throw new IllegalArgumentException("freshline.api.fence.after-wait must not be negative and "
						+ "freshline.api.fence.clock-sync must be positive");
			}
		}
	}

	/**
	 * {@code lease}: how long a reader may take between its miss and its fill; a holder that dies
	 * loses it after this. {@code leaseWait}: how long a reader that finds the lease taken waits
	 * for the holder's fill before reading Postgres itself (without filling). {@code floorTtl}
	 * must outlive {@code lease}.
	 */
	public record Cache(@Valid @DefaultValue Expiry patient, @Valid @DefaultValue Expiry ward,
			@Valid @DefaultValue Expiry formulary,
			@DefaultValue("2s") Duration lease, @DefaultValue("500ms") Duration leaseWait,
			@DefaultValue("10m") Duration floorTtl, @NotNull @DefaultValue("LEASED") FillProtocol protocol) {

		public Cache {
			// a floor that expires before a lease could let that lease's late fill through
			if (floorTtl.compareTo(lease) <= 0) {
				throw new IllegalArgumentException("freshline.api.cache.floor-ttl (" + floorTtl
						+ ") must be longer than freshline.api.cache.lease (" + lease + ")");
			}
		}
	}

	/**
	 * Absolute TTL (with jitter, so keys filled together do not expire together) plus an optional
	 * sliding expiry that keeps hot keys while never letting them outlive {@code ttl}.
	 * {@code notFound}: how long a "not found" answer is cached (0 turns it off); the INSERT of
	 * the row evicts it at once, so keep it short only to bound Redis memory spent on misses.
	 */
	public record Expiry(@DefaultValue("10m") Duration ttl, @DefaultValue("0s") Duration sliding,
			@DefaultValue("0.1") @DecimalMin("0.0") @DecimalMax("0.5") double jitter,
			@DefaultValue("5s") Duration notFound) {
	}

	/**
	 * LEASED is Freshline's stale-set-proof protocol. NAIVE is the textbook get/miss/load/set
	 * ({@code NaiveCacheAside}), kept only so tests and the torture checker can show what the
	 * protocol prevents.
	 */
	public enum FillProtocol {
		LEASED, NAIVE
	}
}
