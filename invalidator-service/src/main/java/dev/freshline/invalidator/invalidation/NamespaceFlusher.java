package dev.freshline.invalidator.invalidation;

import java.util.Set;

import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.stereotype.Component;

import dev.freshline.cache.CacheCommands;
import dev.freshline.cache.FlushCause;
import dev.freshline.model.Namespace;

/**
 * The conservative fallback when a change cannot be mapped to keys (I4): every value, lease and
 * floor of the namespace goes (SCAN + UNLINK in batches, never KEYS), loudly: a warning that says
 * why, progress while it runs, and a metric per namespace.
 */
@Component
class NamespaceFlusher {

	private static final Logger log = LoggerFactory.getLogger(NamespaceFlusher.class);

	/** Counted per namespace and {@link FlushCause}, here and by the batch path. */
	static final String FLUSHES = "freshline.namespace.flushes";

	private final CacheCommands commands;

	private final MeterRegistry meters;

	NamespaceFlusher(CacheCommands commands, MeterRegistry meters) {
		this.commands = commands;
		this.meters = meters;
	}

	/** @param reason what the log says; {@code cause} is its class, the metric's label */
	void flush(Set<Namespace> namespaces, FlushCause cause, String reason) {
		for (Namespace namespace : namespaces) {
			log.warn("Flushing namespace {}: {}", namespace, reason);
			long removed = this.commands.flush(namespace,
					(soFar) -> log.info("Flushing namespace {}: {} keys removed so far", namespace, soFar));
			this.meters.counter(FLUSHES, "namespace", namespace.id(), "reason", cause.tag()).increment();
			log.warn("Flushed namespace {} ({} keys removed)", namespace, removed);
		}
	}
}
