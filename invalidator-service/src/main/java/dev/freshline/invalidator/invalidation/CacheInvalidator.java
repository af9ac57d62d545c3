package dev.freshline.invalidator.invalidation;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.kafka.listener.ListenerExecutionFailedException;
import org.springframework.stereotype.Component;

import dev.freshline.cache.CacheCommands;
import dev.freshline.cache.ChangeBatch;
import dev.freshline.cache.FlushCause;
import dev.freshline.model.ChangeEvent;
import dev.freshline.model.ChangeEventParser;
import dev.freshline.model.Invalidation;
import dev.freshline.model.InvalidationRules;
import dev.freshline.model.Namespace;
import dev.freshline.model.Topics;

/**
 * Applies one poll of change records to Redis in one go: every record is planned by the rules
 * and merged ({@link ChangeBatch}: each key once, with its highest floor), then flushes, the
 * keys in one pipeline and the tags are sent, and only once Redis replied to all of them are
 * unreadable records dead-lettered and watermark markers recorded. Returns only then, so the
 * offsets committed after it never cover an invalidation that did not happen; any failure
 * propagates and the whole poll is applied again, which is harmless (every command is idempotent).
 *
 * <p>Why markers go last: a marker claims that every change before it in its partition is
 * applied. Every such change is either in an earlier poll (whose offsets were committed only
 * after its replies) or in this one, whose flushes, keys and tags have all been answered when the
 * markers are written; changes after a marker in the same poll are applied too by then, which
 * only makes the claim more true. Unreadable records count as applied once their namespaces are
 * flushed (the flushes go first) and they are dead-lettered.
 */
@Component
class CacheInvalidator {

	private static final Logger log = LoggerFactory.getLogger(CacheInvalidator.class);

	private final InvalidationRules rules;

	private final ChangeEventParser parser;

	private final CacheCommands commands;

	private final Topics topics;

	private final AppliedWatermarks watermarks;

	private final PipelineHeartbeat heartbeat;

	private final DeadLetters deadLetters;

	private final InvalidationHooks hooks;

	private final Counter keysDeleted;

	private final Counter tagsInvalidated;

	private final MeterRegistry meters;

	private final AppliedChanges applied;

	private final Map<String, Timer> lag = new ConcurrentHashMap<>();

	CacheInvalidator(InvalidationRules rules, CacheCommands commands, Topics topics, AppliedWatermarks watermarks,
			PipelineHeartbeat heartbeat, DeadLetters deadLetters, ObjectProvider<InvalidationHooks> hooks,
			ObjectProvider<AppliedChanges> applied, MeterRegistry meters) {
		this.rules = rules;
		// only the columns the rules read are kept: most of a poll's CPU is parsing
		this.parser = ChangeEventParser.forRules(rules.ruleSet());
		this.commands = commands;
		this.topics = topics;
		this.watermarks = watermarks;
		this.heartbeat = heartbeat;
		this.deadLetters = deadLetters;
		this.hooks = hooks.getIfAvailable(() -> InvalidationHooks.NONE);
		this.applied = applied.getIfAvailable(() -> AppliedChanges.NONE);
		this.keysDeleted = meters.counter("freshline.invalidator.keys.deleted");
		this.tagsInvalidated = meters.counter("freshline.invalidator.tags.invalidated");
		this.meters = meters;
		// every table's histogram from the start, so a dashboard shows an idle table as idle, not missing
		rules.ruleSet().tables().keySet().forEach(this::lag);
	}

	void apply(List<? extends ConsumerRecord<?, byte @Nullable []>> records) {
		ChangeBatch batch = new ChangeBatch(this.rules, this.parser);
		List<AppliedChanges.Applied> changes = new ArrayList<>(records.size());
		List<Unreadable> unreadable = new ArrayList<>(0);
		List<ConsumerRecord<?, byte @Nullable []>> markers = new ArrayList<>(0);
		long lastBeat = -1;
		for (ConsumerRecord<?, byte @Nullable []> record : records) {
			if (AppliedWatermarks.isMarker(record)) {
				markers.add(record);
				continue;
			}
			String table = this.topics.tableOf(record.topic()).orElse(null);
			if (table == null) {
				// the heartbeat topic, the only other one subscribed: proof of life, no change
				lastBeat = Math.max(lastBeat, record.timestamp());
				continue;
			}
			ChangeBatch.Outcome outcome = batch.add(table, false, record.value(), true);
			switch (outcome.kind()) {
				case PLANNED -> changes.add(new AppliedChanges.Applied(Objects.requireNonNull(outcome.event()),
						Objects.requireNonNull(outcome.plan()).invalidations()));
				case MARKER -> throw new IllegalStateException("markers are taken out above");
				case TOMBSTONE -> log.debug("Skipping tombstone at {}-{}@{}: deletes carry their before image",
						record.topic(), record.partition(), record.offset());
				case FAILED -> {
					// its table's namespaces are in the batch's flushes, which run before anything else
					unreadable.add(new Unreadable(record, Objects.requireNonNull(outcome.failure())));
					log.warn("{}-{}@{} cannot be applied ({}); flushing {} instead, then dead-lettering it",
							record.topic(), record.partition(), record.offset(), outcome.error(),
							this.rules.ruleSet().namespacesOf(table));
				}
			}
		}
		batch.apply(this.commands, new Steps());
		for (Unreadable record : unreadable) {
			this.hooks.beforeDeadLetter(record.record().topic(), record.record().partition(), record.record().offset());
			this.deadLetters.send(record.record(), new ListenerExecutionFailedException(
					"Change record " + record.record().topic() + "-" + record.record().partition() + "@"
							+ record.record().offset() + " cannot be applied",
					record.failure()));
		}
		for (ConsumerRecord<?, byte @Nullable []> marker : markers) {
			this.hooks.beforeWatermark(marker.topic(), marker.partition(), marker.offset());
			this.watermarks.apply(marker);
		}
		if (lastBeat >= 0) {
			this.heartbeat.beat(lastBeat);
		}
		long now = System.currentTimeMillis();
		this.applied.applied(changes);
		for (AppliedChanges.Applied change : changes) {
			ChangeEvent event = change.event();
			if (event.commitTimeMillis() > 0) {
				lag(event.table()).record(Duration.ofMillis(Math.max(0, now - event.commitTimeMillis())));
			}
		}
	}

	/** An unreadable record and why. */
	private record Unreadable(ConsumerRecord<?, byte @Nullable []> record, RuntimeException failure) {
	}

	/** What the batch does in Redis, logged and counted, with the race tests' named points around the deletes. */
	private final class Steps implements ChangeBatch.Steps {

		@Override
		public void beforeFlush(Namespace namespace, List<String> reasons) {
			log.warn("Flushing namespace {}: {}", namespace, String.join("; ", reasons));
		}

		@Override
		public void afterFlush(Namespace namespace, long removed, FlushCause cause) {
			CacheInvalidator.this.meters
				.counter(NamespaceFlusher.FLUSHES, "namespace", namespace.id(), "reason", cause.tag())
				.increment();
			log.warn("Flushed namespace {} ({} keys removed)", namespace, removed);
		}

		@Override
		public void beforeInvalidate(List<Invalidation> invalidations) {
			invalidations.forEach((invalidation) -> CacheInvalidator.this.hooks.beforeDelete(invalidation.key()));
		}

		@Override
		public void afterInvalidate(List<Invalidation> invalidations) {
			invalidations.forEach((invalidation) -> CacheInvalidator.this.hooks.afterDelete(invalidation.key()));
			CacheInvalidator.this.keysDeleted.increment(invalidations.size());
			if (log.isDebugEnabled()) {
				log.debug("Invalidated {}", invalidations);
			}
		}

		@Override
		public void afterTag(String tag, long entries) {
			CacheInvalidator.this.tagsInvalidated.increment();
			log.debug("Invalidated tag {} ({} entries)", tag, entries);
		}
	}

	/** One histogram per table: the table comes from the rules (planFor refused any other), never a key. */
	private Timer lag(String table) {
		return this.lag.computeIfAbsent(table, (name) -> Timer.builder("freshline.invalidation.lag")
			.description("Commit in Postgres (the record's source timestamp) to its invalidations applied in Redis")
			.tag("table", name)
			.publishPercentiles(0.5, 0.99)
			.publishPercentileHistogram()
			.register(this.meters));
	}
}
