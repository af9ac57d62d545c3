package dev.freshline.invalidator.inspection;

import java.util.HashMap;
import java.util.Map;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import dev.freshline.model.Consistency;
import dev.freshline.model.Namespace;
import dev.freshline.model.RuleSet;

/**
 * The inspector's counters, registered at zero for every namespace of the rules so each series
 * exists from the start: keys checked and found inconsistent per namespace, repairs, and the keys
 * it could not read (Redis failed, or a value that is not rows) or skipped (too many waiting), which
 * are not counted as checked.
 */
final class InspectorMeters {

	static final String CHECKED = "freshline.inspector.checked";

	static final String INCONSISTENT = "freshline.inspector.inconsistent";

	private final Map<Namespace, Counter> checked = new HashMap<>();

	private final Map<Namespace, Counter> inconsistent = new HashMap<>();

	final Counter repaired;

	final Counter failed;

	final Counter skipped;

	InspectorMeters(MeterRegistry registry, RuleSet rules) {
		for (Namespace namespace : rules.namespaces().keySet()) {
			this.checked.put(namespace, Counter.builder(CHECKED)
				.description("Keys read back a grace period after the change that invalidated them")
				.tag("namespace", namespace.id())
				.register(registry));
			this.inconsistent.put(namespace, Counter.builder(INCONSISTENT)
				.description("Keys found holding an entry older than the change that invalidated them")
				.tag("namespace", namespace.id())
				.register(registry));
		}
		this.repaired = registry.counter("freshline.inspector.repaired");
		this.failed = registry.counter("freshline.inspector.failed");
		this.skipped = registry.counter("freshline.inspector.skipped");
	}

	Counter checked(Namespace namespace) {
		return this.checked.get(namespace);
	}

	Counter inconsistent(Namespace namespace) {
		return this.inconsistent.get(namespace);
	}

	Consistency consistency() {
		long checked = (long) this.checked.values().stream().mapToDouble(Counter::count).sum();
		long inconsistent = (long) this.inconsistent.values().stream().mapToDouble(Counter::count).sum();
		return new Consistency(checked, inconsistent);
	}
}
