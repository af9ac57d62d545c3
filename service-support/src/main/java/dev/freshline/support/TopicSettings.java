package dev.freshline.support;

import jakarta.validation.constraints.Min;

import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How the change topics are created ({@code freshline.cdc.topics}, {@code freshline.invalidator.topics}):
 * one record for both services, bound from the same environment variables, so they cannot
 * declare one topic two ways.
 */
public record TopicSettings(@DefaultValue("3") @Min(1) int partitions, @DefaultValue("1") @Min(1) short replicationFactor) {
}
