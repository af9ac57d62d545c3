package dev.freshline.pipeline;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;

import dev.freshline.embedded.SharedServers;
import dev.freshline.model.Watermark;

import static dev.freshline.pipeline.Waits.await;

/** Reads a change topic from the beginning, as an auditor would. */
final class ChangeTopicReader {

	private ChangeTopicReader() {
	}

	static KafkaConsumer<String, String> consumer() {
		return consumer(SharedServers.get().kafka().bootstrapServers());
	}

	/** A reader of another broker or cluster than the shared one. */
	static KafkaConsumer<String, String> consumer(String bootstrapServers) {
		return new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
				bootstrapServers, ConsumerConfig.GROUP_ID_CONFIG,
				SharedServers.uniqueName("audit"), ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
				new StringDeserializer(), new StringDeserializer());
	}

	/** Whether {@code record} is a watermark marker, which carries a stream position, no change. */
	static boolean isMarker(ConsumerRecord<?, ?> record) {
		return record.headers().lastHeader(Watermark.HEADER) != null;
	}

	static String awaitRecord(String topic, Predicate<String> matching) {
		AtomicReference<String> found = new AtomicReference<>();
		try (KafkaConsumer<String, String> consumer = consumer()) {
			consumer.subscribe(List.of(topic));
			await().until(() -> {
				for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
					if (record.value() != null && !isMarker(record) && matching.test(record.value())) {
						found.set(record.value());
					}
				}
				return found.get() != null;
			});
		}
		return found.get();
	}
}
