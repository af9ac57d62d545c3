package dev.freshline.invalidator.inspection;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

import dev.freshline.invalidator.InvalidatorProperties;
import dev.freshline.model.Consistency;

/**
 * The inspector's figures in the invalidator's health details ({@code consistency}): keys checked,
 * inconsistent ones, and "consistent within T" as nines with the sample they rest on. Always UP:
 * an inconsistency was already repaired, and an operator is told by its metric and log line.
 */
@Component("consistency")
class ConsistencyHealth implements HealthIndicator {

	private final ConsistencyInspector inspector;

	private final InvalidatorProperties.Inspector settings;

	ConsistencyHealth(ConsistencyInspector inspector, InvalidatorProperties properties) {
		this.inspector = inspector;
		this.settings = properties.inspector();
	}

	@Override
	public Health health() {
		if (!this.inspector.active()) {
			return Health.up().withDetail("inspector", "off").build();
		}
		Consistency consistency = this.inspector.consistency();
		return Health.up()
			.withDetail("within", this.settings.grace().toString())
			.withDetail("checked", consistency.checked())
			.withDetail("inconsistent", consistency.inconsistent())
			.withDetail("nines", consistency.describe())
			.build();
	}
}
