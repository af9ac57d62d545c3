package dev.freshline.cdc.capture;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.kafka.core.DefaultKafkaProducerFactory;

import dev.freshline.cdc.ConnectorProperties;
import dev.freshline.cdc.publish.ConnectRecordOffsets;
import dev.freshline.cdc.publish.KafkaChangePublisher;
import dev.freshline.embedded.Directories;
import dev.freshline.embedded.SharedServers;
import dev.freshline.embedded.TestDatabase;
import dev.freshline.model.RuleSet;
import dev.freshline.model.Topics;
import dev.freshline.model.Watermark;
import dev.freshline.support.TopicSettings;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Watermark markers end to end: a real Postgres, a real Debezium engine and the real Kafka
 * publisher, read back partition by partition from a real broker. Each change topic has three
 * partitions; every partition must carry the markers, in order with the records they cover.
 */
class WatermarkMarkersIntegrationTests {

	private static final RuleSet RULES = RuleSet.loadDefault();

	private static final int PARTITIONS = 3;

	private static final Pattern TX_ID = Pattern.compile("\"txId\":(\\d+)");

	private static final Pattern TS_MS = Pattern.compile("\"source\":\\{.*?\"ts_ms\":(\\d+)");

	private final TestDatabase database = SharedServers.get().newDatabase();

	private final String slot = SharedServers.uniqueName("markers");

	private final Topics topics = new Topics(this.slot);

	private final String bootstrap = SharedServers.get().kafka().bootstrapServers();

	private final Path directory = createTempDirectory();

	private final DefaultKafkaProducerFactory<byte[], byte[]> producers = new DefaultKafkaProducerFactory<>(
			Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, this.bootstrap, ProducerConfig.ACKS_CONFIG, "all",
					ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true, ProducerConfig.LINGER_MS_CONFIG, 0,
					ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
					ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class));

	private final List<ChangeCapture> captures = new ArrayList<>();

	private final ExecutorService writers = Executors.newFixedThreadPool(3);

	private static ConditionFactory await(String alias) {
		return Awaitility.await(alias).atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50));
	}

	@BeforeEach
	void createSchemaAndTopics() throws Exception {
		String schema = new String(getClass().getResourceAsStream("/capture-schema.sql").readAllBytes(),
				StandardCharsets.UTF_8);
		try (Connection connection = this.database.connect(this.database.owner());
				Statement sql = connection.createStatement()) {
			sql.execute(schema);
			// as migration V4 does: each heartbeat's write reaches the connector through pgoutput
			sql.execute("ALTER PUBLICATION freshline ADD TABLE cdc_heartbeat");
			sql.execute("INSERT INTO patient (ward) SELECT 'w' || i FROM generate_series(1, 30) AS i");
			sql.execute("INSERT INTO formulary_item (hospital_id) SELECT i FROM generate_series(1, 30) AS i");
		}
		try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, this.bootstrap))) {
			List<NewTopic> declared = new ArrayList<>();
			this.topics.allChanges(RULES).forEach((topic) -> declared.add(new NewTopic(topic, PARTITIONS, (short) 1)));
			declared.add(new NewTopic(this.topics.heartbeat(), 1, (short) 1));
			declared.add(new NewTopic(this.topics.signals(), 1, (short) 1));
			admin.createTopics(declared).all().get();
		}
	}

	@AfterEach
	void cleanUp() throws Exception {
		this.writers.shutdownNow();
		this.captures.forEach(ChangeCapture::stop);
		this.producers.destroy();
		// drops the slot too, waiting while its walsender still holds it
		SharedServers.get().dropDatabase(this.database);
		try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, this.bootstrap))) {
			List<String> created = new ArrayList<>(this.topics.allChanges(RULES));
			created.add(this.topics.heartbeat());
			created.add(this.topics.signals());
			admin.deleteTopics(created).all().get();
		}
		Directories.deleteRecursively(this.directory);
	}

	@Test
	void shouldMarkEveryPartitionWithACommitCoveringAnUpdateAndKeepMarkingWhileTheTablesAreQuiet() throws Exception {
		start(Duration.ofMillis(100), Duration.ofMillis(50));
		long update;
		try (Connection connection = this.database.connect(this.database.owner());
				Statement sql = connection.createStatement()) {
			sql.executeUpdate("UPDATE patient SET ward = 'moved' WHERE id = 7");
			// autocommit: the update is committed; with synchronous_commit on, the WAL written so
			// far reaches at least the end of its commit record, the LSN pgoutput reports for it
			update = lsn(sql, "SELECT pg_current_wal_lsn()");
		}

		try (PartitionReader reader = new PartitionReader()) {
			await("a marker covering the update in every partition").untilAsserted(() -> {
				reader.poll();
				for (TopicPartition partition : reader.partitions()) {
					assertThat(reader.markers(partition)).as("markers of %s", partition)
						.anyMatch((marker) -> marker.covers(update));
				}
			});
			// the flush owed at a first start (keyless TRUNCATEs of the connector's own) carries no transaction
			List<ConsumerRecord<String, String>> captured = reader.allChanges().stream()
				.filter((record) -> transaction(record) != null)
				.toList();
			assertThat(captured).as("the only captured change").hasSize(1);
			ConsumerRecord<String, String> change = captured.get(0);
			long committedAt = sourceMillis(change);
			long postgresNow;
			try (Connection connection = this.database.connect(this.database.owner());
					Statement sql = connection.createStatement();
					ResultSet now = sql.executeQuery("SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint")) {
				now.next();
				postgresNow = now.getLong(1);
			}
			for (TopicPartition partition : reader.partitions()) {
				Watermark first = reader.markers(partition).stream().filter((marker) -> marker.covers(update)).findFirst().orElseThrow();
				// the commit that covers the update is the update's own or a later one, by Postgres' clock
				assertThat(first.commitMillis()).as("commit time of %s in %s", first, partition)
					.isBetween(committedAt, postgresNow);
			}

			// quiet: no captured change from here on, yet each heartbeat's commit moves the markers on
			long quiet = reader.partitions().stream().mapToLong((partition) -> reader.lastMarker(partition).lsn()).max().orElseThrow();
			await("markers past the quiet point in every partition").untilAsserted(() -> {
				reader.poll();
				for (TopicPartition partition : reader.partitions()) {
					assertThat(reader.lastMarker(partition).lsn()).as("last marker of %s", partition).isGreaterThan(quiet);
				}
			});
			assertThat(reader.allChanges().stream().filter((record) -> transaction(record) != null))
				.as("still the only captured change").hasSize(1);
		}
	}

	@Test
	void shouldNeverLetAMarkerOvertakeARecordOfItsPartitionAndSendAtMostOnePerInterval() throws Exception {
		Duration interval = Duration.ofMillis(200);
		start(Duration.ofMillis(100), interval);
		// the upper bound of each writer transaction's commit LSN, by xid: pg_current_wal_lsn()
		// right after its commit is at or past the end of its commit record
		Map<Long, Long> committedBy = new ConcurrentHashMap<>();
		AtomicBoolean writing = new AtomicBoolean(true);
		List<Future<?>> running = new ArrayList<>();
		long startedNanos = System.nanoTime();
		for (int writer = 0; writer < 3; writer++) {
			int offset = writer * 10;
			running.add(this.writers.submit(() -> {
				try (Connection connection = this.database.connect(this.database.owner());
						Statement sql = connection.createStatement()) {
					connection.setAutoCommit(false);
					for (int round = 0; writing.get(); round++) {
						// several rows of both tables per transaction, so one transaction spans partitions
						// and its rows interleave with those of the other writers in the WAL
						for (int row = 1; row <= 4; row++) {
							int id = offset + ((round + row) % 10) + 1;
							sql.executeUpdate("UPDATE patient SET version = version + 1 WHERE id = " + id);
							sql.executeUpdate("UPDATE formulary_item SET version = version + 1 WHERE id = " + id);
						}
						long xid = lsnless(sql, "SELECT pg_current_xact_id()::text::bigint");
						connection.commit();
						committedBy.put(xid, lsn(sql, "SELECT pg_current_wal_lsn()"));
						connection.commit();
					}
				}
				return null;
			}));
		}
		try (PartitionReader reader = new PartitionReader()) {
			await("markers in every partition during the load").untilAsserted(() -> {
				reader.poll();
				for (TopicPartition partition : reader.partitions()) {
					assertThat(reader.markers(partition)).as("markers of %s", partition).hasSizeGreaterThan(5);
				}
			});
			writing.set(false);
			for (Future<?> writer : running) {
				writer.get();
			}
			long elapsedMillis = Duration.ofNanos(System.nanoTime() - startedNanos).toMillis();
			assertThat(committedBy).hasSizeGreaterThan(20);
			reader.poll();

			for (TopicPartition partition : reader.partitions()) {
				List<ConsumerRecord<String, String>> records = reader.records(partition);
				for (int m = 0; m < records.size(); m++) {
					if (!isMarker(records.get(m))) {
						continue;
					}
					Watermark marker = Watermark.parse(records.get(m).value());
					for (int later = m + 1; later < records.size(); later++) {
						ConsumerRecord<String, String> record = records.get(later);
						if (isMarker(record)) {
							continue;
						}
						Long committed = committedBy.get(transaction(record));
						assertThat(committed == null || committed > marker.lsn())
							.as("%s at offset %d is after marker %s at offset %d although its transaction committed by %s",
									partition, record.offset(), marker.encode(), records.get(m).offset(),
									committed == null ? "?" : Watermark.formatLsn(committed))
							.isTrue();
					}
				}
				// at most one marker per interval (and one to start with), generously: timer slack on a busy machine
				long markers = reader.markers(partition).size();
				assertThat(markers).as("markers in %s over %d ms at one per %s", partition, elapsedMillis, interval)
					.isLessThanOrEqualTo(elapsedMillis / interval.toMillis() + 2);
			}
		}
	}

	private void start(Duration heartbeat, Duration markerInterval) {
		ConnectorProperties properties = new ConnectorProperties(this.slot, RuleSet.DEFAULT_LOCATION,
				new ConnectorProperties.Database(this.database.host(), this.database.port(), this.database.name(),
						this.database.cdc().name(), this.database.cdc().password()),
				new ConnectorProperties.Capture(this.slot, "freshline", this.directory.resolve("offsets.dat"),
						Duration.ofMillis(10), heartbeat, Duration.ofMillis(100)),
				new ConnectorProperties.Markers(true, markerInterval), new TopicSettings(PARTITIONS, (short) 1, null), Map.of());
		CaptureProgress progress = new CaptureProgress(properties, Clock.systemUTC());
		KafkaChangePublisher publisher = new KafkaChangePublisher(this.producers, progress);
		UncleanStopGuard guard = new UncleanStopGuard(properties, RULES, publisher, new SimpleMeterRegistry());
		ChangeCapture capture = new ChangeCapture(properties, publisher, progress, RULES, guard, Duration.ofMillis(500),
				new WatermarkMarkers(properties, RULES, publisher, new ConnectRecordOffsets()));
		this.captures.add(capture);
		capture.start();
		await("engine streaming").until(() -> progress.published() > 0);
	}

	private static boolean isMarker(ConsumerRecord<String, String> record) {
		return record.headers().lastHeader(Watermark.HEADER) != null;
	}

	private static @Nullable Long transaction(ConsumerRecord<String, String> record) {
		Matcher txId = TX_ID.matcher(record.value());
		return txId.find() ? Long.valueOf(txId.group(1)) : null;
	}

	private static long sourceMillis(ConsumerRecord<String, String> record) {
		Matcher ts = TS_MS.matcher(record.value());
		assertThat(ts.find()).as("source.ts_ms in %s", record.value()).isTrue();
		return Long.parseLong(ts.group(1));
	}

	private static long lsn(Statement sql, String query) throws SQLException {
		try (ResultSet rows = sql.executeQuery(query)) {
			rows.next();
			return Watermark.parseLsn(rows.getString(1));
		}
	}

	private static long lsnless(Statement sql, String query) throws SQLException {
		try (ResultSet rows = sql.executeQuery(query)) {
			rows.next();
			return rows.getLong(1);
		}
	}

	private static Path createTempDirectory() {
		try {
			return Files.createTempDirectory("markers-");
		}
		catch (java.io.IOException ex) {
			throw new java.io.UncheckedIOException(ex);
		}
	}

	/** Reads every partition of every change topic from its start, keeping each partition's order. */
	private final class PartitionReader implements AutoCloseable {

		private final KafkaConsumer<String, String> consumer = new KafkaConsumer<>(
				Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, WatermarkMarkersIntegrationTests.this.bootstrap,
						ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false),
				new StringDeserializer(), new StringDeserializer());

		private final Map<TopicPartition, List<ConsumerRecord<String, String>>> records = new ConcurrentHashMap<>();

		PartitionReader() {
			List<TopicPartition> partitions = new ArrayList<>();
			for (String topic : WatermarkMarkersIntegrationTests.this.topics.allChanges(RULES)) {
				for (int partition = 0; partition < PARTITIONS; partition++) {
					partitions.add(new TopicPartition(topic, partition));
					this.records.put(new TopicPartition(topic, partition), new ArrayList<>());
				}
			}
			this.consumer.assign(partitions);
			this.consumer.seekToBeginning(partitions);
		}

		void poll() {
			this.consumer.poll(Duration.ofMillis(200))
				.forEach((record) -> this.records.get(new TopicPartition(record.topic(), record.partition())).add(record));
		}

		List<TopicPartition> partitions() {
			return List.copyOf(this.records.keySet());
		}

		List<ConsumerRecord<String, String>> records(TopicPartition partition) {
			return this.records.get(partition);
		}

		List<Watermark> markers(TopicPartition partition) {
			return records(partition).stream().filter(WatermarkMarkersIntegrationTests::isMarker)
				.map((record) -> Watermark.parse(record.value()))
				.toList();
		}

		Watermark lastMarker(TopicPartition partition) {
			List<Watermark> markers = markers(partition);
			return markers.get(markers.size() - 1);
		}

		List<ConsumerRecord<String, String>> allChanges() {
			return this.records.values().stream().flatMap(List::stream).filter((record) -> !isMarker(record)).toList();
		}

		@Override
		public void close() {
			this.consumer.close();
		}
	}
}
