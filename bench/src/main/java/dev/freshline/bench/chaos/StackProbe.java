package dev.freshline.bench.chaos;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.sql.Array;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisClient;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.jspecify.annotations.Nullable;

import dev.freshline.bench.BenchHttp;
import dev.freshline.bench.StackProcess;
import dev.freshline.cache.audit.CachedEntryAudit;
import dev.freshline.embedded.GroupCatchUp;
import dev.freshline.model.CacheKeys;
import dev.freshline.model.Invalidation;
import dev.freshline.model.Topics;

/**
 * What the harness asks the running stack: whether the invalidator has applied everything (its
 * committed offsets at the ends of its partitions, each written id's floor at its row's version),
 * whether both API instances serve hits again (pipeline health UP, a repeated read is a hit), how
 * many records are dead-lettered, and the audit of every cached entry. Every question has a short
 * timeout and answers "no" while a server is down.
 */
final class StackProbe implements AutoCloseable {

	static final String PREFIX = "freshline";

	static final String GROUP = "freshline-invalidator";

	/** A seeded patient no writer touches: two reads of it make the second a hit once the fence admits. */
	private static final long PROBE_PATIENT = 100;

	/** The seeded patient {@link #commitProbe()} writes; no reader or writer of the load touches it. */
	private static final long PROBE_WRITE = 101;

	private final StackProcess stack;

	private final BenchHttp http;

	private final CacheKeys keys = new CacheKeys(PREFIX);

	private final Topics topics = new Topics(PREFIX);

	private final Admin admin;

	private final RedisClient redisClient;

	private final StatefulRedisConnection<String, String> redis;

	StackProbe(StackProcess stack, BenchHttp http) {
		this.stack = stack;
		this.http = http;
		this.admin = Admin.create(stack.kafkaClient(Map.of(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 3000, AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5000)));
		this.redisClient = RedisClient.create(stack.redisUri());
		// fail fast while Redis restarts instead of queueing the harness' commands
		this.redisClient.setOptions(ClientOptions.builder()
			.disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
			.timeoutOptions(TimeoutOptions.enabled(Duration.ofSeconds(2)))
			.build());
		this.redis = this.redisClient.connect();
	}

	CacheKeys keys() {
		return this.keys;
	}

	RedisCommands<String, String> redis() {
		return this.redis.sync();
	}

	Topics topics() {
		return this.topics;
	}

	/**
	 * A check that the invalidator committed every record its partitions held at the check's first
	 * call ({@link GroupCatchUp}); keep one across the polls of one wait. Rereading the ends at
	 * every poll would ask for a moment with no watermark marker in flight, which a loaded machine
	 * may never offer.
	 */
	GroupCatchUp invalidatorCatchUp() {
		return new GroupCatchUp(this.admin, GROUP);
	}

	/** {@link GroupCatchUp#reached()}, false while the broker cannot say. */
	static boolean caughtUp(GroupCatchUp catchUp) {
		try {
			return catchUp.reached();
		}
		catch (Exception brokerDown) {
			return false;
		}
	}

	/** Records in the dead-letter topic so far (its end offsets summed); -1 while the broker cannot say. */
	long deadLettered() {
		try {
			var partitions = this.admin.describeTopics(List.of(this.topics.deadLetter()))
				.allTopicNames()
				.get(5, TimeUnit.SECONDS)
				.get(this.topics.deadLetter())
				.partitions();
			Map<TopicPartition, OffsetSpec> latest = partitions.stream()
				.collect(Collectors.toMap((partition) -> new TopicPartition(this.topics.deadLetter(), partition.partition()),
						(partition) -> OffsetSpec.latest()));
			return this.admin.listOffsets(latest)
				.all()
				.get(5, TimeUnit.SECONDS)
				.values()
				.stream()
				.mapToLong(ListOffsetsResult.ListOffsetsResultInfo::offset)
				.sum();
		}
		catch (Exception brokerDown) {
			return -1;
		}
	}

	/**
	 * Null once the change stream has applied every write: the last write's floor is at its version
	 * and then the invalidator has caught up (the connector publishes in commit order, so every
	 * earlier commit was applied), and no written id has a floor below its row's version (deleted
	 * rows: {@link Invalidation#DELETED}). A floor that is gone is no wait: a namespace flush (the
	 * connector's after an unclean stop, a dead letter's) or a Redis restart removed it together
	 * with the values; the audit then checks what was cached since. Else says what is outstanding.
	 */
	@Nullable String outstanding(Collection<ChaosLoad.Write> writes, ChaosLoad.Write last, GroupCatchUp catchUp) {
		Map<Long, Long> expected = new TreeMap<>();
		writes.forEach((write) -> expected.put(write.id(), Invalidation.DELETED));
		try (Connection connection = connect();
				PreparedStatement query = connection.prepareStatement("SELECT id, version FROM patient WHERE id = ANY(?)")) {
			Array ids = connection.createArrayOf("bigint", expected.keySet().toArray());
			query.setArray(1, ids);
			try (ResultSet rows = query.executeQuery()) {
				while (rows.next()) {
					expected.put(rows.getLong(1), rows.getLong(2));
				}
			}
			String lastFloor = redis().get(this.keys.floor(this.keys.patient(last.id())));
			if (lastFloor == null || Long.parseLong(lastFloor) < last.version()) {
				return "the last write (patient " + last.id() + " v" + last.version() + ") is not applied: floor " + lastFloor;
			}
			List<KeyValue<String, String>> floors = redis()
				.mget(expected.keySet().stream().map((id) -> this.keys.floor(this.keys.patient(id))).toArray(String[]::new));
			List<String> behind = new ArrayList<>();
			int i = 0;
			for (Map.Entry<Long, Long> row : expected.entrySet()) {
				KeyValue<String, String> floor = floors.get(i++);
				if (floor.hasValue() && Long.parseLong(floor.getValue()) < row.getValue()) {
					behind.add(row.getKey() + " (floor " + floor.getValue() + " < " + row.getValue() + ")");
				}
			}
			if (!behind.isEmpty()) {
				return behind.size() + " written ids whose floor is below the row's version, e.g. "
						+ behind.subList(0, Math.min(3, behind.size()));
			}
		}
		catch (SQLException | RuntimeException ex) {
			return "cannot check the floors: " + ex.getMessage();
		}
		return caughtUp(catchUp) ? null : "invalidator lag above 0 (committed offsets behind the ends read when the wait began)";
	}

	/**
	 * A change committed now, as a client would commit it, and the WAL position after its commit
	 * ({@code pg_current_wal_lsn()}, what a raw-SQL writer sends as {@code Freshline-After}); empty
	 * while Postgres does not answer.
	 */
	Optional<String> commitProbe() {
		try (Connection connection = connect(); Statement statement = connection.createStatement()) {
			statement.executeUpdate("UPDATE patient SET name = name WHERE id = " + PROBE_WRITE);
			try (ResultSet position = statement.executeQuery("SELECT pg_current_wal_lsn()")) {
				position.next();
				return Optional.of(position.getString(1));
			}
		}
		catch (SQLException down) {
			return Optional.empty();
		}
	}

	/**
	 * Whether {@code api} serves through the cache again with everything committed up to
	 * {@code after} applied: a read with {@code Freshline-After: after} is not a bypass (the
	 * instance's fence has an applied watermark covering the position, no older than the bound,
	 * and Redis answers), and reading the same patient again is a hit.
	 */
	boolean servesHits(String api, String after) {
		try {
			String patient = api + "/patients/" + PROBE_PATIENT;
			if (BenchHttp.cacheOutcome(this.http.get(patient, "Freshline-After", after)).equals("bypass")) {
				return false;
			}
			return BenchHttp.cacheOutcome(this.http.get(patient, "Freshline-After", after)).equals("hit");
		}
		catch (IOException | RuntimeException down) {
			return false;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return false;
		}
	}

	/**
	 * Recovered from a fault that ended before the change at {@code after} was committed: both
	 * instances serve hits with that change applied, and the invalidator has caught up. A change
	 * committed after the fault is what tells a pipeline that works again from one that merely
	 * has not noticed yet that it stopped (the fence admits for up to max-staleness).
	 */
	boolean recovered(String after, GroupCatchUp catchUp) {
		return servesHits(this.stack.api(0), after) && servesHits(this.stack.api(1), after) && caughtUp(catchUp);
	}

	/**
	 * One read of every hot key on api-2 once quiet, so that every namespace has entries to audit. A
	 * key still cached is a hit and stays as it is, so this hides no stale entry.
	 */
	void sweep() throws IOException, InterruptedException {
		List<String> paths = new ArrayList<>();
		for (int ward = 0; ward < ChaosLoad.Population.WARDS; ward++) {
			paths.add("/wards/" + ChaosLoad.Population.ward(ward) + "/patients");
		}
		for (long hospital : ChaosLoad.Population.HOSPITALS) {
			paths.add("/hospitals/" + hospital + "/formulary");
		}
		for (long id = ChaosLoad.Population.FIRST_ID; id < ChaosLoad.Population.FIRST_ID
				+ ChaosLoad.Population.HOT_PATIENTS; id++) {
			paths.add("/patients/" + id);
		}
		for (String path : paths) {
			this.http.get(this.stack.api(1) + path);
		}
	}

	CachedEntryAudit.Result audit() throws SQLException {
		try (Connection connection = connect()) {
			return CachedEntryAudit.audit(redis(), connection, this.keys);
		}
	}

	private Connection connect() throws SQLException {
		return DriverManager.getConnection(this.stack.jdbcUrl(), this.stack.databaseUser(), this.stack.databasePassword());
	}

	@Override
	public void close() {
		this.redis.close();
		this.redisClient.shutdown();
		this.admin.close(Duration.ofSeconds(5));
	}
}
