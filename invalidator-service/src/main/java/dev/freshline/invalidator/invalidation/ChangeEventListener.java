package dev.freshline.invalidator.invalidation;

import java.util.List;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jspecify.annotations.Nullable;

import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.listener.BatchListenerFailedException;
import org.springframework.stereotype.Component;

/**
 * One listener, one job: hand each poll's records to the {@link OffsetGuard} and the
 * {@link CacheInvalidator}, in one batch. Values are consumed as raw bytes so that a record we
 * cannot read reaches the dead-letter topic unchanged. The container commits the poll's offsets
 * only after this method returned, that is after Redis replied for every record of it.
 */
@Component
class ChangeEventListener {

	private final CacheInvalidator invalidator;

	private final OffsetGuard offsets;

	ChangeEventListener(CacheInvalidator invalidator, OffsetGuard offsets) {
		this.invalidator = invalidator;
		this.offsets = offsets;
	}

	@KafkaListener(id = "${freshline.invalidator.group-id:freshline-invalidator}",
			topics = "#{@subscribedTopicNames}", autoStartup = "true", batch = "true")
	void onChanges(List<ConsumerRecord<@Nullable String, byte @Nullable []>> records) {
		try {
			this.offsets.observe(records);
			this.invalidator.apply(records);
			this.offsets.applied(records);
		}
		catch (RuntimeException ex) {
			// Unreadable input never gets here (the invalidator flushes and dead-letters it in its
			// place); what does is transient (Redis, the dead-letter topic). Naming the poll's first
			// record makes the error handler seek every partition back to this poll's start and
			// fetch it again after its back-off, rather than retry the records held in memory: a
			// fetch again is what lets OffsetGuard see retention deleting them meanwhile.
			throw new BatchListenerFailedException("Applying " + records.size() + " records failed", ex, 0);
		}
	}
}
