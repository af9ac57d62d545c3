package dev.freshline.invalidator;

import java.time.Duration;

import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import dev.freshline.model.RuleSet;
import dev.freshline.support.TopicSettings;

/**
 * The invalidator's settings, validated at start; Kafka and Redis endpoints stay under spring.*.
 * {@code floorTtl} must outlive the longest fill (the API's lease), or a very late fill could
 * pass a floor that has expired. {@code rules} is the invalidation rules file, shared with the
 * API and the connector. {@code redisRestartCheck}: how often Redis' run id is compared with the
 * one recorded with the data (a restart from a snapshot or a failover flushes every namespace);
 * it bounds how long values resurrected that way can be served. {@code watermarkStall}: how long a
 * watermark marker the consumer fetched may stay unapplied, with no marker of its partition applied
 * meanwhile, before health turns DOWN (see {@code WatermarkHealth}). {@code instanceId}: when set,
 * the consumers are static members of the group ({@code group.instance.id}, suffixed per consumer):
 * an instance restarted under the same id takes its partitions back at once instead of waiting for
 * the group to expire its predecessor's (the session timeout, 45 s); unique per instance, stable
 * across its restarts (a StatefulSet pod's name), and unset for instances that come and go.
 */
@Validated
@ConfigurationProperties("freshline.invalidator")
public record InvalidatorProperties(
		@DefaultValue("freshline-invalidator") @Pattern(regexp = "[A-Za-z0-9._-]{1,200}") String groupId,
		@DefaultValue("freshline") @Pattern(regexp = "[a-z0-9][a-z0-9_-]{0,62}") String topicPrefix,
		@DefaultValue("freshline") @Pattern(regexp = "[a-z0-9][a-z0-9_-]{0,62}") String keyPrefix,
		@DefaultValue(RuleSet.DEFAULT_LOCATION) @NotBlank String rules, @Valid @DefaultValue Retry retry,
		@Valid @DefaultValue TopicSettings topics, @DefaultValue("500") @Min(10) int flushBatchSize,
		@DefaultValue("10m") Duration floorTtl, @Valid @DefaultValue SchemaCheck schemaCheck,
		@DefaultValue("1s") Duration redisRestartCheck, @DefaultValue("10s") Duration watermarkStall,
		@Nullable @Pattern(regexp = "[A-Za-z0-9._-]{0,200}") String instanceId,
		@Valid @DefaultValue Inspector inspector) {

	public InvalidatorProperties {
		// INVALIDATOR_INSTANCE_ID unset binds as an empty string: dynamic membership
		instanceId = (instanceId == null || instanceId.isEmpty()) ? null : instanceId;
		if (redisRestartCheck.isNegative() || redisRestartCheck.isZero()) {
			throw new IllegalArgumentException("freshline.invalidator.redis-restart-check must be positive: " + redisRestartCheck);
		}
		if (watermarkStall.isNegative() || watermarkStall.isZero()) {
			throw new IllegalArgumentException("freshline.invalidator.watermark-stall must be positive: " + watermarkStall);
		}
	}

	/**
	 * The consistency inspector: {@code grace} after a change was applied, the keys it invalidated
	 * are read back and an entry older than the change is counted, logged and, with
	 * {@code repair}, invalidated. {@code sampleRate}: the share of changes inspected (1: all);
	 * {@code interval}: how often the keys whose grace has passed are read, in one pipeline.
	 */
	public record Inspector(@DefaultValue("true") boolean enabled,
			@DefaultValue("1.0") @DecimalMin("0.0") @DecimalMax("1.0") double sampleRate,
			@DefaultValue("1s") Duration grace, @DefaultValue("100ms") Duration interval,
			@DefaultValue("true") boolean repair) {

		public Inspector {
			if (grace.isNegative()) {
				throw new IllegalArgumentException("freshline.invalidator.inspector.grace must not be negative: " + grace);
			}
			if (interval.isNegative() || interval.isZero()) {
				throw new IllegalArgumentException("freshline.invalidator.inspector.interval must be positive: " + interval);
			}
		}
	}

	/** Back-off for transient failures (Redis, network); there is deliberately no attempt limit. */
	public record Retry(@DefaultValue("100ms") Duration initialInterval, @DefaultValue("10s") Duration maxInterval) {
	}

	/**
	 * The check at start that Postgres publishes every rule's table with the columns its keys
	 * need. It reads catalogs only, as a role granted nothing. {@code timeout}: how long to wait
	 * for the schema to appear (the API's migrations may still be running) before refusing to start.
	 */
	public record SchemaCheck(@DefaultValue("true") boolean enabled,
			@DefaultValue("jdbc:postgresql://localhost:5432/freshline") String jdbcUrl,
			@DefaultValue("freshline_invalidator") String user, @Nullable String password,
			@DefaultValue("freshline") String publication, @DefaultValue("2m") Duration timeout) {

		@Override
		public String toString() {
			return "SchemaCheck[" + this.user + "@" + this.jdbcUrl + ", publication " + this.publication + "]";
		}
	}
}
