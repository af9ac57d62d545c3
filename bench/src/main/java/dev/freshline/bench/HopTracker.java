package dev.freshline.bench;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.freshline.model.Watermark;

/**
 * Reads the patient change topic beside the invalidator (assigned partitions, no group, so the
 * invalidator's group is never touched) and keeps, per (id, version), the timestamps the event
 * carries: {@code source.ts_ms} (commit), {@code ts_ms} (Debezium processed it), the record's
 * CreateTime (the connector's producer sent it) and when this consumer received it.
 */
final class HopTracker implements AutoCloseable {

	/** Epoch milliseconds of one change event at each hop. */
	record Stamps(long committed, long debezium, long produced, long received) {
	}

	private final KafkaConsumer<String, String> consumer;

	private final Map<String, Stamps> stamps = new ConcurrentHashMap<>();

	private final JsonMapper json = JsonMapper.builder().build();

	private final Thread poller;

	private volatile boolean running = true;

	HopTracker(StackProcess stack, String topic) {
		this.consumer = new KafkaConsumer<>(stack.kafkaClient(Map.of(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
				ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 5)),
				new StringDeserializer(), new StringDeserializer());
		List<TopicPartition> partitions = this.consumer.partitionsFor(topic)
			.stream()
			.map((info) -> new TopicPartition(topic, info.partition()))
			.toList();
		this.consumer.assign(partitions);
		this.consumer.seekToEnd(partitions);
		partitions.forEach(this.consumer::position);
		this.poller = new Thread(this::poll, "bench-hops");
		this.poller.setDaemon(true);
		this.poller.start();
	}

	private void poll() {
		try {
			while (this.running) {
				for (ConsumerRecord<String, String> record : this.consumer.poll(Duration.ofMillis(100))) {
					long received = System.currentTimeMillis();
					if (record.value() == null || record.headers().lastHeader(Watermark.HEADER) != null) {
						continue; // a tombstone, or a watermark marker: no row version to time
					}
					JsonNode event = this.json.readTree(record.value());
					JsonNode after = event.path("after");
					if (after.isObject()) {
						this.stamps.put(key(after.path("id").asLong(), after.path("version").asLong()),
								new Stamps(event.path("source").path("ts_ms").asLong(), event.path("ts_ms").asLong(),
										record.timestamp(), received));
					}
				}
			}
		}
		catch (WakeupException stopping) {
			// close() ends the poll
		}
		finally {
			this.consumer.close();
		}
	}

	Stamps get(long id, long version) {
		return this.stamps.get(key(id, version));
	}

	private static String key(long id, long version) {
		return id + "/" + version;
	}

	@Override
	public void close() throws InterruptedException {
		this.running = false;
		this.consumer.wakeup();
		this.poller.join(5000);
	}
}
