package dev.freshline.invalidator.invalidation;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

import dev.freshline.model.ChangeEventParser;
import dev.freshline.model.RuleSet;
import dev.freshline.model.Topics;

/**
 * One listener, one job: hand each change record to the parser and the invalidator. Values are
 * consumed as raw bytes so that a record we cannot read reaches the dead-letter topic unchanged.
 * Tombstones and heartbeats invalidate nothing: deletes carry their before image, and a
 * heartbeat only proves the pipeline is alive. A watermark marker is no change either: it goes to
 * {@link AppliedWatermarks}, in its place in the partition, after every record before it. Every
 * record, markers included, passes the {@link OffsetGuard}: markers occupy offsets too.
 */
@Component
class ChangeEventListener {

	private static final Logger log = LoggerFactory.getLogger(ChangeEventListener.class);

	private final ChangeEventParser parser;

	private final CacheInvalidator invalidator;

	private final PipelineHeartbeat heartbeat;

	private final String heartbeatTopic;

	private final OffsetGuard offsets;

	private final AppliedWatermarks watermarks;

	ChangeEventListener(CacheInvalidator invalidator, PipelineHeartbeat heartbeat, Topics topics, OffsetGuard offsets,
			RuleSet rules, AppliedWatermarks watermarks) {
		this.parser = ChangeEventParser.forRules(rules);
		this.invalidator = invalidator;
		this.watermarks = watermarks;
		this.offsets = offsets;
		this.heartbeat = heartbeat;
		this.heartbeatTopic = topics.heartbeat();
	}

	@KafkaListener(id = "${freshline.invalidator.group-id:freshline-invalidator}",
			topics = "#{@subscribedTopicNames}", autoStartup = "true")
	void onChange(ConsumerRecord<@Nullable String, byte @Nullable []> record) {
		this.offsets.observe(record);
		handle(record);
		this.offsets.applied(record);
	}

	private void handle(ConsumerRecord<@Nullable String, byte @Nullable []> record) {
		if (AppliedWatermarks.isMarker(record)) {
			// applied in order: this listener returned for every record before it only after Redis replied
			this.watermarks.apply(record);
			return;
		}
		if (record.topic().equals(this.heartbeatTopic)) {
			this.heartbeat.beat(record.timestamp());
			return;
		}
		byte[] value = record.value();
		if (value == null) {
			log.debug("Skipping tombstone at {}-{}@{}: deletes carry their before image",
					record.topic(), record.partition(), record.offset());
			return;
		}
		this.invalidator.apply(this.parser.parse(value));
	}
}
