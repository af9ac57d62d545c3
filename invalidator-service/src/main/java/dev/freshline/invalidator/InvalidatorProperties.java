package dev.freshline.invalidator;

import java.time.Duration;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Pattern;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The invalidator's settings, validated at start; Kafka and Redis endpoints stay under spring.*.
 * {@code floorTtl} must outlive the longest fill (the API's lease), or a very late fill could
 * pass a floor that has expired.
 */
@Validated
@ConfigurationProperties("freshline.invalidator")
public record InvalidatorProperties(
		@DefaultValue("freshline-invalidator") @Pattern(regexp = "[A-Za-z0-9._-]{1,200}") String groupId,
		@DefaultValue("freshline") @Pattern(regexp = "[a-z0-9][a-z0-9_-]{0,62}") String topicPrefix,
		@DefaultValue("freshline") @Pattern(regexp = "[a-z0-9][a-z0-9_-]{0,62}") String keyPrefix,
		@Valid @DefaultValue Retry retry, @Valid @DefaultValue Topics topics,
		@DefaultValue("500") @Min(10) int flushBatchSize, @DefaultValue("10m") Duration floorTtl) {

	/** Back-off for transient failures (Redis, network); there is deliberately no attempt limit. */
	public record Retry(@DefaultValue("100ms") Duration initialInterval, @DefaultValue("10s") Duration maxInterval) {
	}

	public record Topics(@DefaultValue("3") @Min(1) int partitions, @DefaultValue("1") @Min(1) short replicationFactor) {
	}
}
