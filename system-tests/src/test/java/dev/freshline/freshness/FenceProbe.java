package dev.freshline.freshness;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.regex.Pattern;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jspecify.annotations.Nullable;

import dev.freshline.embedded.SharedServers;
import dev.freshline.model.Topics;
import dev.freshline.model.Watermark;
import dev.freshline.pipeline.Http;
import dev.freshline.pipeline.PipelineStack;

import static dev.freshline.pipeline.Waits.await;

/**
 * What the fence tests look at from outside the services: WAL positions and Postgres' clock, the
 * applied watermarks the invalidators left in Redis, a change topic's partitions as the broker
 * holds them, and reads with the headers a client sends and gets back.
 */
final class FenceProbe {

	static final String CACHE_HEADER = "Freshline-Cache";

	static final String AFTER_HEADER = "Freshline-After";

	private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

	private final PipelineStack stack;

	private final String topicPrefix;

	FenceProbe(PipelineStack stack) {
		this.stack = stack;
		// a stack names its topics and keys with the same prefix
		this.topicPrefix = stack.keys().prefix();
	}

	/** {@code pg_current_wal_insert_lsn()}: read after a commit returned, at or past its commit record. */
	long walInsertPosition() throws Exception {
		try (Connection connection = this.stack.connect(); Statement sql = connection.createStatement();
				ResultSet result = sql.executeQuery("SELECT pg_current_wal_insert_lsn()::text")) {
			result.next();
			return Watermark.parseLsn(result.getString(1));
		}
	}

	/** Postgres' clock, by which watermark ages are measured, in epoch milliseconds. */
	long postgresNow() throws Exception {
		try (Connection connection = this.stack.connect(); Statement sql = connection.createStatement();
				ResultSet result = sql.executeQuery("SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint")) {
			result.next();
			return result.getLong(1);
		}
	}

	/** Each partition's applied watermark of {@code table}'s change topic, as the invalidators recorded it. */
	Map<Integer, Watermark> applied(String table) {
		Map<Integer, Watermark> applied = new TreeMap<>();
		this.stack.redis()
			.hgetall(this.stack.keys().watermarks(table))
			.forEach((partition, encoded) -> applied.put(Integer.valueOf(partition), Watermark.parse(encoded)));
		return applied;
	}

	String changeTopic(String table) {
		return new Topics(this.topicPrefix).changes(table);
	}

	/**
	 * The partition of {@code table}'s change topic that holds the changes of row {@code id}, and
	 * the offset of the last change of it there, read from the broker (every change of a row has
	 * the same key, so the same partition).
	 */
	TopicPartitionOffset lastChangeOf(String table, long id) {
		Pattern key = Pattern.compile("\"id\"\\s*:\\s*" + id + "(?!\\d)");
		List<TopicPartitionOffset> found = new ArrayList<>();
		readWholeTopic(table, "the change of " + table + " " + id, (record) -> {
			if (record.key() != null && !isMarker(record) && key.matcher(record.key()).find()) {
				found.add(new TopicPartitionOffset(record.partition(), record.offset()));
			}
		});
		if (found.isEmpty()) {
			throw new IllegalStateException("no change of " + table + " " + id + " on the broker");
		}
		return found.get(found.size() - 1);
	}

	/**
	 * The newest watermark marker the connector wrote into each partition of {@code table}'s change
	 * topic: beside {@link #applied}, it tells a connector that stopped writing markers from
	 * invalidators that stopped applying them.
	 */
	Map<Integer, Watermark> newestMarkers(String table) {
		Map<Integer, Watermark> newest = new TreeMap<>();
		readWholeTopic(table, "the markers of " + table, (record) -> {
			if (isMarker(record)) {
				newest.put(record.partition(), Watermark.parse(record.value()));
			}
		});
		return newest;
	}

	/** Hands every record of {@code table}'s change topic, up to its end now, to {@code each}, partition by partition in order. */
	private void readWholeTopic(String table, String what, Consumer<ConsumerRecord<String, String>> each) {
		try (KafkaConsumer<String, String> consumer = consumer()) {
			List<TopicPartition> partitions = consumer.partitionsFor(changeTopic(table))
				.stream()
				.map((info) -> new TopicPartition(info.topic(), info.partition()))
				.toList();
			consumer.assign(partitions);
			consumer.seekToBeginning(partitions);
			Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
			await(what + " on the broker").until(() -> {
				consumer.poll(Duration.ofMillis(100)).forEach(each);
				return partitions.stream().allMatch((partition) -> consumer.position(partition) >= ends.get(partition));
			});
		}
	}

	/** The first watermark marker after {@code offset} in that partition, waiting for the connector to write one. */
	Watermark firstMarkerAfter(String table, TopicPartitionOffset change) {
		TopicPartition partition = new TopicPartition(changeTopic(table), change.partition());
		Watermark[] marker = new Watermark[1];
		try (KafkaConsumer<String, String> consumer = consumer()) {
			consumer.assign(List.of(partition));
			consumer.seek(partition, change.offset() + 1);
			await("a marker after " + partition + "@" + change.offset()).until(() -> {
				for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(100))) {
					if (marker[0] == null && isMarker(record)) {
						marker[0] = Watermark.parse(record.value());
					}
				}
				return marker[0] != null;
			});
		}
		return marker[0];
	}

	private static boolean isMarker(ConsumerRecord<?, ?> record) {
		return record.headers().lastHeader(Watermark.HEADER) != null;
	}

	private static KafkaConsumer<String, String> consumer() {
		return new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
				SharedServers.get().kafka().bootstrapServers(), ConsumerConfig.GROUP_ID_CONFIG,
				SharedServers.uniqueName("fence-audit"), ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
				ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false"), new StringDeserializer(), new StringDeserializer());
	}

	HttpResponse<String> get(int instance, String path) throws IOException, InterruptedException {
		return get(instance, path, null);
	}

	/** A read as a client sends it, with {@code Freshline-After} when {@code after} is given. */
	HttpResponse<String> get(int instance, String path, @Nullable Long after) throws IOException, InterruptedException {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(this.stack.apiUrl(instance) + path))
			.timeout(Duration.ofSeconds(10))
			.header("Authorization", Http.READER);
		if (after != null) {
			request.header(AFTER_HEADER, Watermark.formatLsn(after));
		}
		return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
	}

	static String cache(HttpResponse<?> response) {
		return response.headers().firstValue(CACHE_HEADER).orElse("(none)");
	}

	/** A change's place in its topic: partition and offset. */
	record TopicPartitionOffset(int partition, long offset) {
	}
}
