package dev.freshline.pipeline;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.freshline.embedded.DatabaseRole;
import dev.freshline.embedded.ServiceEnvironment;
import dev.freshline.embedded.SharedServers;
import dev.freshline.model.Namespace;
import dev.freshline.ops.Ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static dev.freshline.pipeline.Waits.await;

/**
 * {@code ops resnapshot} against the whole pipeline: it first flushes every namespace the table's
 * rules key, because the snapshot re-reads only rows that exist now and so cannot evict the entry
 * of a deleted row or a list no current row names; then the signal makes Debezium re-read the
 * table (an incremental snapshot), whose read events evict what a fill in flight during the flush
 * stored. Only the signal role may send signals.
 */
@ExtendWith(PipelineStackExtension.class)
class ResnapshotIntegrationTests {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	/** The ops tool's home: no .freshline/local-stack.json there, so it takes the stack's environment. */
	@TempDir
	Path home;

	@Test
	void shouldFlushTheTablesNamespacesThenReReadEveryRow(PipelineStack stack) throws Exception {
		List<String> keys = List.of(stack.keys().patient(1), stack.keys().patient(1777),
				stack.keys().patient(3000), stack.keys().key(Namespace.WARD, "ward-d"));
		keys.forEach((key) -> stack.redis().set(key, "cached, its row never changed"));
		String formulary = stack.keys().formulary(2);
		stack.redis().set(formulary, "another table");

		StringWriter out = new StringWriter();
		int exit = ops(stack, out, "resnapshot", "--table", "patient");

		assertThat(exit).as(out.toString()).isZero();
		assertThat(out.toString()).contains("Flushing namespaces patient, ward", "Signal", "public.patient");
		assertThat(out.toString().indexOf("Removed")).as("flushed before the signal")
			.isPositive()
			.isLessThan(out.toString().indexOf("Signal"));
		assertThat(stack.redis().exists(keys.toArray(String[]::new))).as("flushed before the command returned").isZero();
		assertThat(stack.redis().exists(formulary)).as("only the named table's namespaces").isEqualTo(1);
		// and the connector re-reads the table: a read event of its last row reaches the topic
		ChangeTopicReader.awaitRecord(stack.topics().changes("patient"),
				(value) -> value.contains("\"op\":\"r\"") && value.matches("(?s).*\"id\":3000[,}].*"));
	}

	@Test
	void shouldRemoveTheEntryOfAPatientDeletedSinceItWasCached(PipelineStack stack) throws Exception {
		stack.sql("DELETE FROM patient WHERE id = 1777");
		awaitApplied(stack, (change) -> change.path("op").asString().equals("d")
				&& change.path("before").path("id").asLong() == 1777);
		// a cache that outlived the delete (Redis restored from an older snapshot, or a lost change)
		String deleted = stack.keys().patient(1777);
		stack.redis().set(deleted, "{\"id\":1777,\"name\":\"Patient 1777\"}");

		StringWriter out = new StringWriter();
		int exit = ops(stack, out, "resnapshot", "--table", "patient");

		assertThat(exit).as(out.toString()).isZero();
		awaitSnapshotRead(stack, 3000);
		assertThat(stack.redis().exists(deleted)).as("no row names patient 1777 any more\n" + out).isZero();
	}

	@Test
	void shouldRemoveTheListOfAWardEveryoneLeft(PipelineStack stack) throws Exception {
		stack.sql("UPDATE patient SET ward = 'ward-q' WHERE id IN (11, 12)");
		stack.sql("UPDATE patient SET ward = 'ward-a' WHERE id IN (11, 12)");
		awaitApplied(stack, leftWardQ(11), leftWardQ(12));
		// ward-q's census as it was cached while 11 and 12 were there
		String emptied = stack.keys().key(Namespace.WARD, "ward-q");
		stack.redis().set(emptied, "[{\"id\":11},{\"id\":12}]");

		StringWriter out = new StringWriter();
		int exit = ops(stack, out, "resnapshot", "--table", "patient");

		assertThat(exit).as(out.toString()).isZero();
		awaitSnapshotRead(stack, 3000);
		assertThat(stack.redis().exists(emptied)).as("no row names ward-q any more\n" + out).isZero();
	}

	@Test
	void shouldSayWhatItWouldFlushAndChangeNothingOnDryRun(PipelineStack stack) throws Exception {
		List<String> keys = List.of(stack.keys().patient(1), stack.keys().patient(2),
				stack.keys().key(Namespace.WARD, "ward-d"));
		keys.forEach((key) -> stack.redis().set(key, "cached"));

		StringWriter out = new StringWriter();
		int exit = ops(stack, out, "resnapshot", "--table", "patient", "--dry-run");

		assertThat(exit).as(out.toString()).isZero();
		assertThat(out.toString()).contains("Dry run", "would flush", "2 keys matching " + stack.keys().prefix() + ":patient:",
				"1 keys matching " + stack.keys().prefix() + ":ward:", "Nothing was changed");
		assertThat(stack.redis().exists(keys.toArray(String[]::new))).isEqualTo(keys.size());
		assertThat(signals(stack)).isZero();
	}

	@Test
	void shouldRefuseAnUnknownTableAndSendNothing(PipelineStack stack) throws Exception {
		String key = stack.keys().patient(1);
		stack.redis().set(key, "cached");
		StringWriter err = new StringWriter();

		int exit = ops(stack, err, "resnapshot", "--table", "nurse");

		assertThat(exit).isEqualTo(Ops.REFUSED);
		assertThat(err.toString()).contains("unknown table 'nurse'");
		assertThat(signals(stack)).isZero();
		assertThat(stack.redis().exists(key)).as("nothing flushed").isEqualTo(1);
	}

	@Test
	void shouldAcceptSignalsFromTheSignalRoleOnly(PipelineStack stack) {
		for (DatabaseRole role : List.of(DatabaseRole.API, DatabaseRole.INVALIDATOR)) {
			assertThatThrownBy(() -> insertSignalAs(stack, role)).as(role.name())
				.isInstanceOf(SQLException.class)
				.hasMessageContaining("permission denied");
		}
	}

	/** The environment a service of this stack gets: its database, Kafka, Redis and prefixes. */
	private int ops(PipelineStack stack, StringWriter output, String... args) {
		Map<String, String> environment = new HashMap<>();
		stack.databaseEnvironment().forEach((name, value) -> environment.put(name, String.valueOf(value)));
		SharedServers servers = SharedServers.get();
		environment.putAll(new ServiceEnvironment().kafka(servers.kafka().bootstrapServers())
			.redis(servers.redis())
			.put(ServiceEnvironment.FRESHLINE_TOPIC_PREFIX, stack.topics().prefix())
			.put(ServiceEnvironment.FRESHLINE_KEY_PREFIX, stack.keys().prefix())
			.toStrings());
		PrintWriter writer = new PrintWriter(output, true);
		return new Ops(environment, this.home, Clock.systemUTC(), false).execute(writer, writer, args);
	}

	/** The update of {@code id} that moved the patient from ward-q to ward-a. */
	private static Predicate<JsonNode> leftWardQ(long id) {
		return (change) -> change.path("op").asString().equals("u") && change.path("after").path("id").asLong() == id
				&& change.path("before").path("ward").asString().equals("ward-q")
				&& change.path("after").path("ward").asString().equals("ward-a");
	}

	/**
	 * Waits until each of {@code changes} is on the patient topic, then until the invalidators have
	 * applied every record the topic held at that moment. Not a count of records: the connector's
	 * watermark markers keep arriving in every partition, so the topic's end never stands still.
	 */
	@SafeVarargs
	private void awaitApplied(PipelineStack stack, Predicate<JsonNode>... changes) throws Exception {
		for (Predicate<JsonNode> change : changes) {
			ChangeTopicReader.awaitRecord(stack.topics().changes("patient"), (value) -> change.test(JSON.readTree(value)));
		}
		awaitAppliedThrough(stack, ends(stack), "the changes");
	}

	/** Waits for the read event of one row: the incremental snapshot reached it, then for the invalidators to apply it. */
	private void awaitSnapshotRead(PipelineStack stack, long id) throws Exception {
		ChangeTopicReader.awaitRecord(stack.topics().changes("patient"),
				(value) -> value.contains("\"op\":\"r\"") && value.matches("(?s).*\"id\":" + id + "[,}].*"));
		awaitAppliedThrough(stack, ends(stack), "the snapshot");
	}

	/** Waits until the invalidator group committed at least {@code ends} in every partition of the patient topic. */
	private void awaitAppliedThrough(PipelineStack stack, Map<TopicPartition, Long> ends, String what) {
		// the group commits once assigned; later records (markers) may already be committed too
		await("invalidators applied the patient topic through " + what + " " + ends).ignoreExceptions().until(() -> {
			Map<TopicPartition, Long> committed = committed(stack);
			return ends.entrySet().stream().allMatch((end) -> committed.getOrDefault(end.getKey(), 0L) >= end.getValue());
		});
	}

	/** The invalidator group's committed offsets on the patient topic, by partition. */
	private Map<TopicPartition, Long> committed(PipelineStack stack) throws Exception {
		try (Admin admin = admin()) {
			Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(stack.invalidatorGroup())
				.partitionsToOffsetAndMetadata()
				.get(10, TimeUnit.SECONDS);
			String topic = stack.topics().changes("patient");
			Map<TopicPartition, Long> committed = new HashMap<>();
			offsets.forEach((partition, offset) -> {
				if (partition.topic().equals(topic) && offset != null) {
					committed.put(partition, offset.offset());
				}
			});
			return committed;
		}
	}

	/** The patient topic's end offsets, by partition. */
	private Map<TopicPartition, Long> ends(PipelineStack stack) throws Exception {
		try (Admin admin = admin()) {
			String topic = stack.topics().changes("patient");
			Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
			admin.describeTopics(List.of(topic))
				.allTopicNames()
				.get(10, TimeUnit.SECONDS)
				.get(topic)
				.partitions()
				.forEach((partition) -> latest.put(new TopicPartition(topic, partition.partition()), OffsetSpec.latest()));
			Map<TopicPartition, Long> ends = new HashMap<>();
			admin.listOffsets(latest).all().get(10, TimeUnit.SECONDS).forEach((partition, info) -> ends.put(partition, info.offset()));
			return ends;
		}
	}

	private static Admin admin() {
		return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, SharedServers.get().kafka().bootstrapServers()));
	}

	private long signals(PipelineStack stack) throws SQLException {
		try (Connection connection = stack.connect(); Statement statement = connection.createStatement();
				ResultSet result = statement.executeQuery("SELECT count(*) FROM debezium_signal")) {
			result.next();
			return result.getLong(1);
		}
	}

	private void insertSignalAs(PipelineStack stack, DatabaseRole role) throws SQLException {
		Map<String, Object> environment = stack.databaseEnvironment();
		String url = "jdbc:postgresql://" + environment.get("POSTGRES_HOST") + ":" + environment.get("POSTGRES_PORT") + "/"
				+ environment.get("POSTGRES_DB");
		try (Connection connection = java.sql.DriverManager.getConnection(url, role.name(), role.password());
				Statement statement = connection.createStatement()) {
			statement.executeUpdate("INSERT INTO debezium_signal (id, type, data) VALUES ('x', 'execute-snapshot', "
					+ "'{\"data-collections\": [\"public.patient\"], \"type\": \"incremental\"}')");
		}
	}
}
