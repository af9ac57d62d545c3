package dev.freshline.invalidator.invalidation;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

/**
 * One listener, one job: hand each change record to the parser and the invalidator. Values are
 * consumed as raw bytes so that a record we cannot read reaches the dead-letter topic unchanged.
 */
@Component
class ChangeEventListener {

	private static final Logger log = LoggerFactory.getLogger(ChangeEventListener.class);

	private final ChangeEventParser parser;

	private final CacheInvalidator invalidator;

	ChangeEventListener(ChangeEventParser parser, CacheInvalidator invalidator) {
		this.parser = parser;
		this.invalidator = invalidator;
	}

	@KafkaListener(id = "${freshline.invalidator.group-id:freshline-invalidator}",
			topics = "#{@changeTopicNames}", autoStartup = "true")
	void onChange(ConsumerRecord<@Nullable String, byte @Nullable []> record) {
		byte[] value = record.value();
		if (value == null) {
			log.debug("Skipping tombstone at {}-{}@{}: deletes carry their before image",
					record.topic(), record.partition(), record.offset());
			return;
		}
		this.invalidator.apply(this.parser.parse(value));
	}
}
