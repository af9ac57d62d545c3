package dev.freshline.cdc.publish;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.kafka.support.ProducerListener;
import org.springframework.stereotype.Component;

/**
 * Replaces spring-kafka's LoggingProducerListener, which logs the key and payload of a failed
 * send: change events must never reach the logs. Only the topic and the error are logged.
 */
@Component
class QuietProducerListener implements ProducerListener<Object, Object> {

	private static final Logger log = LoggerFactory.getLogger(QuietProducerListener.class);

	@Override
	public void onError(ProducerRecord<Object, Object> record, @Nullable RecordMetadata metadata, Exception exception) {
		log.debug("Send to {} failed: {}", record.topic(), exception.toString());
	}
}
