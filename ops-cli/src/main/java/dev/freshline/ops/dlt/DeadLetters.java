package dev.freshline.ops.dlt;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

import dev.freshline.ops.Clients;

/** Reads the dead-letter topic between two offsets per partition, without a group and without committing. */
final class DeadLetters {

	private static final Duration STALL = Duration.ofSeconds(30);

	private DeadLetters() {
	}

	static List<DeadLetter> read(Clients clients, Map<TopicPartition, Long> starts, Map<TopicPartition, Long> ends) {
		List<DeadLetter> letters = new ArrayList<>();
		Set<TopicPartition> remaining = new HashSet<>();
		starts.forEach((partition, start) -> {
			if (ends.get(partition) > start) {
				remaining.add(partition);
			}
		});
		if (remaining.isEmpty()) {
			return letters;
		}
		try (KafkaConsumer<byte[], byte[]> consumer = clients.consumer("freshline-ops-dlt", null, 1_000)) {
			consumer.assign(remaining);
			remaining.forEach((partition) -> consumer.seek(partition, starts.get(partition)));
			long deadline = System.nanoTime() + STALL.toNanos();
			while (!remaining.isEmpty()) {
				for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
					if (record.offset() < ends.get(new TopicPartition(record.topic(), record.partition()))) {
						letters.add(DeadLetter.of(record));
						deadline = System.nanoTime() + STALL.toNanos();
					}
				}
				for (TopicPartition partition : Set.copyOf(remaining)) {
					if (consumer.position(partition) >= ends.get(partition)) {
						remaining.remove(partition);
						consumer.pause(Set.of(partition));
					}
				}
				if (System.nanoTime() > deadline) {
					throw new IllegalStateException("no dead letters delivered for " + STALL.toSeconds() + " s");
				}
			}
		}
		letters.sort(Comparator.comparingInt(DeadLetter::partition).thenComparingLong(DeadLetter::offset));
		return letters;
	}
}
