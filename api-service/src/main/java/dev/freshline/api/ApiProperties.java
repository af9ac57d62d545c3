package dev.freshline.api;

import java.time.Duration;

import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Pattern;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/** The API's settings, validated at start: the key prefix and each namespace's expiry. */
@Validated
@ConfigurationProperties("freshline.api")
public record ApiProperties(@DefaultValue("freshline") @Pattern(regexp = "[a-z0-9][a-z0-9_-]{0,62}") String keyPrefix,
		@Valid @DefaultValue Namespaces cache) {

	public record Namespaces(@Valid @DefaultValue Expiry patient, @Valid @DefaultValue Expiry formulary) {
	}

	/**
	 * Absolute TTL (with jitter, so keys filled together do not expire together) plus an optional
	 * sliding expiry that keeps hot keys while never letting them outlive {@code ttl}.
	 */
	public record Expiry(@DefaultValue("10m") Duration ttl, @DefaultValue("0s") Duration sliding,
			@DefaultValue("0.1") @DecimalMin("0.0") @DecimalMax("0.5") double jitter) {
	}
}
