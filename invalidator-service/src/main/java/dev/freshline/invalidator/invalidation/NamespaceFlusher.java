package dev.freshline.invalidator.invalidation;

import java.util.Set;

import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.stereotype.Component;

import dev.freshline.cache.CacheCommands;
import dev.freshline.model.Namespace;

/**
 * The conservative fallback when a change cannot be mapped to keys (I4): every value, lease and
 * floor of the namespace goes (SCAN + UNLINK in batches, never KEYS), loudly: a warning that says
 * why, progress while it runs, and a metric per namespace.
 */
@Component
class NamespaceFlusher {

	private static final Logger log = LoggerFactory.getLogger(NamespaceFlusher.class);

	private final CacheCommands commands;

	private final MeterRegistry meters;

	NamespaceFlusher(CacheCommands commands, MeterRegistry meters) {
		this.commands = commands;
		this.meters = meters;
	}

	void flush(Set<Namespace> namespaces, String reason) {
		for (Namespace namespace : namespaces) {
			log.warn("Flushing namespace {}: {}", namespace, reason);
			long removed = this.commands.flush(namespace,
					(soFar) -> log.info("Flushing namespace {}: {} keys removed so far", namespace, soFar));
			this.meters.counter("freshline.invalidator.namespace.flushes", "namespace", namespace.id()).increment();
			log.warn("Flushed namespace {} ({} keys removed)", namespace, removed);
		}
	}
}
