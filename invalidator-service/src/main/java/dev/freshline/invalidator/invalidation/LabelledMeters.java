package dev.freshline.invalidator.invalidation;

import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.stereotype.Component;

import dev.freshline.cache.FlushCause;
import dev.freshline.model.Namespace;
import dev.freshline.model.RuleSet;
import dev.freshline.model.Topics;

/**
 * Registers at zero every labelled counter the invalidator may ever count, for each namespace,
 * cause and change topic the rules define: a counter that has never counted is otherwise no
 * series at all, and an alert on its increase would see nothing rather than 0. The labels are
 * the rules' own names, never a key or an id.
 */
@Component
class LabelledMeters {

	LabelledMeters(MeterRegistry meters, RuleSet rules, Topics topics) {
		for (Namespace namespace : rules.namespaces().keySet()) {
			for (FlushCause cause : FlushCause.values()) {
				meters.counter(NamespaceFlusher.FLUSHES, "namespace", namespace.id(), "reason", cause.tag());
			}
		}
		for (String topic : topics.allChanges(rules)) {
			meters.counter(DeadLetters.DEAD_LETTERED, "topic", topic);
			meters.counter(OffsetGuard.OFFSET_RESETS, "topic", topic);
		}
	}
}
