package dev.freshline.freshness;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.apache.kafka.common.TopicPartition;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import dev.freshline.api.freshness.PipelineFence;
import dev.freshline.embedded.ServiceEnvironment;
import dev.freshline.freshness.FenceProbe.TopicPartitionOffset;
import dev.freshline.model.Namespace;
import dev.freshline.model.Watermark;
import dev.freshline.pipeline.Http;
import dev.freshline.pipeline.PipelineStack;

import static dev.freshline.freshness.FenceProbe.cache;
import static dev.freshline.pipeline.Waits.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The freshness fence on the real pipeline: Postgres, the connector writing watermark markers,
 * Kafka, two invalidators recording the applied watermarks in Redis, two API instances reading
 * them. Invalidation is stopped at a named point ({@link DeleteGate}) or by pausing the
 * invalidators' consumers, never by timing. Each invalidator runs three consumers, so each
 * partition of a change topic has a consumer of its own and one can be held while the others
 * go on. The API-only cases, with hand-written watermarks, are api-service's
 * FenceIntegrationTests; the connector's marker order on the broker is cdc-connector's
 * WatermarkMarkersIntegrationTests.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WatermarkFenceIntegrationTests {

	private static final Duration MAX_STALENESS = Duration.ofSeconds(2);

	private final DeleteGate gate = new DeleteGate();

	private PipelineStack stack;

	private FenceProbe probe;

	@BeforeAll
	void startStack() throws Exception {
		this.stack = PipelineStack.start(Map.of(ServiceEnvironment.CDC_MARKERS, "true",
				ServiceEnvironment.INVALIDATOR_CONCURRENCY, "3", "FRESHLINE_MAX_STALENESS", MAX_STALENESS.toMillis() + "ms"),
				this.gate);
		this.probe = new FenceProbe(this.stack);
	}

	@AfterAll
	void stopStack() throws Exception {
		if (this.stack != null) {
			this.stack.close();
		}
	}

	/** Each test starts from a pipeline whose watermarks both instances admit. */
	@BeforeEach
	void freshPipeline() {
		await("both instances read patients through the cache").untilAsserted(() -> {
			assertThat(cache(this.probe.get(1, "/patients/1"))).isNotEqualTo("bypass");
			assertThat(cache(this.probe.get(2, "/patients/1"))).isNotEqualTo("bypass");
		});
	}

	@Test
	void shouldBypassEveryNamespaceAStuckPartitionFeedsWhileTheOtherPartitionsAdvance() throws Exception {
		long id = 21;
		assertThat(this.probe.get(1, "/patients/22").body()).contains("\"id\":22");
		try (DeleteGate.Armed held = this.gate.arm(this.stack.keys().patient(id))) {
			this.stack.sql("UPDATE patient SET name = 'Stuck behind its partition' WHERE id = " + id);
			long committed = this.probe.walInsertPosition();
			held.awaitArrival();
			int stuck = this.probe.lastChangeOf("patient", id).partition();
			Set<Integer> sameConsumer = heldWith(stuck);

			try {
				await("the patient partitions of other consumers than " + stuck + "'s applied past the commit").untilAsserted(
						() -> assertThat(this.probe.applied("patient")).allSatisfy((partition, watermark) -> {
							if (!sameConsumer.contains(partition)) {
								assertThat(watermark.covers(committed)).as("partition %d: %s", partition, watermark.encode())
									.isTrue();
							}
						}));
			}
			catch (ConditionTimeoutException ex) {
				// CI once saw every partition freeze at one marker: say whether the connector stopped
				// writing markers or the group stopped applying them
				throw new AssertionError("commit " + Watermark.formatLsn(committed) + ", held with " + sameConsumer
						+ "; newest markers on the broker " + encoded(this.probe.newestMarkers("patient")) + ", applied "
						+ encoded(this.probe.applied("patient")) + "; the group: "
						+ this.stack.describeInvalidatorGroup(), ex);
			}
			await("both instances bypass the namespaces the stuck partition feeds").untilAsserted(() -> {
				for (int instance = 1; instance <= 2; instance++) {
					assertThat(cache(this.probe.get(instance, "/patients/22"))).as("api-%d patients", instance).isEqualTo("bypass");
					assertThat(cache(this.probe.get(instance, "/wards/ward-d/patients"))).as("api-%d ward", instance).isEqualTo("bypass");
				}
			});

			// while the fence bypasses, every other partition keeps advancing: fresh by Postgres' clock
			Map<Integer, Watermark> applied = this.probe.applied("patient");
			long now = this.probe.postgresNow();
			assertThat(applied).hasSize(3);
			applied.forEach((partition, watermark) -> {
				if (partition == stuck) {
					assertThat(watermark.covers(committed)).as("the stuck partition %d", partition).isFalse();
				}
				if (sameConsumer.contains(partition)) {
					assertThat(now - watermark.commitMillis()).as("held partition %d's age", partition)
						.isGreaterThan(MAX_STALENESS.toMillis());
				}
				else {
					assertThat(now - watermark.commitMillis()).as("partition %d's age", partition)
						.isLessThanOrEqualTo(MAX_STALENESS.toMillis());
				}
			});
			HttpResponse<String> bypassed = this.probe.get(2, "/patients/" + id);
			assertThat(bypassed.body()).as("a bypass reads Postgres").contains("Stuck behind its partition");
			assertThat(Http.get(this.stack.apiManagementUrl(1) + "/actuator/health").body()).contains("bypass: stale");
		}
		await("the cache is used again once the partition moves on").untilAsserted(
				() -> assertThat(cache(this.probe.get(1, "/patients/22"))).isIn("hit", "miss"));
		assertThat(this.stack.redis().exists(this.stack.keys().patient(id))).isZero();
	}

	/**
	 * The applied watermark of a partition whose record's delete is held never covers that
	 * record's commit, although the connector has already written markers past it into the same
	 * partition and the other partitions have applied theirs: a marker applied ahead of its record
	 * (the connector writing it too early, or the invalidator recording it out of order) would
	 * show here as a watermark at or past the first marker after the record.
	 */
	@Test
	void shouldNeverRecordAWatermarkPastARecordWhoseDeleteIsStillPending() throws Exception {
		long id = 31;
		String key = this.stack.keys().patient(id);
		assertThat(this.probe.get(1, "/patients/" + id).body()).contains("\"name\":\"Patient 31\"");
		assertThat(this.stack.redis().exists(key)).isEqualTo(1);
		Watermark after;
		int stuck;
		long committed;
		try (DeleteGate.Armed held = this.gate.arm(key)) {
			this.stack.sql("UPDATE patient SET name = 'Held at its delete' WHERE id = " + id);
			committed = this.probe.walInsertPosition();
			held.awaitArrival();
			TopicPartitionOffset change = this.probe.lastChangeOf("patient", id);
			stuck = change.partition();
			after = this.probe.firstMarkerAfter("patient", change);
			Watermark first = after;
			// markers past the record are on the broker: an invalidator that recorded one ahead of
			// the record would do so within a marker interval (50 ms), so the watermark must stay
			// below it for a whole second. (Not "until the other partitions advance": a rebalance
			// while one consumer is held stops every partition of the group, which CI once met.)
			await("the held partition's watermark stays below the first marker after the record")
				.during(Duration.ofSeconds(1))
				.untilAsserted(() -> assertThat(this.probe.applied("patient").get(stuck).lsn()).isLessThan(first.lsn()));

			Watermark recorded = this.probe.applied("patient").get(stuck);
			assertThat(recorded).as("partition %d has applied markers before the record", stuck).isNotNull();
			assertThat(recorded.lsn()).as("partition %d's watermark %s, the first marker after the held record %s", stuck,
					recorded.encode(), after.encode()).isLessThan(after.lsn());
			assertThat(recorded.covers(committed)).as("the held commit is not covered").isFalse();
			assertThat(this.stack.redis().exists(key)).as("its delete is held").isEqualTo(1);
		}
		await("the record, then the marker after it, applied").untilAsserted(
				() -> assertThat(this.probe.applied("patient").get(stuck).lsn()).isGreaterThanOrEqualTo(after.lsn()));
		assertThat(this.stack.redis().exists(key)).isZero();
	}

	@Test
	void shouldServeARawSqlCommitOnTheOtherInstanceAtTheFirstReadWithFreshlineAfterWhileTheInvalidatorIsPaused()
			throws Exception {
		long id = 41;
		String path = "/patients/" + id;
		this.probe.get(1, path);
		assertThat(this.probe.get(2, path)).satisfies((read) -> {
			assertThat(cache(read)).as("filled by api-1").isEqualTo("hit");
			assertThat(read.body()).contains("\"name\":\"Patient 41\"");
		});
		this.stack.pauseInvalidators();
		try {
			this.stack.sql("UPDATE patient SET name = 'Written by psql' WHERE id = " + id);
			long committed = this.probe.walInsertPosition();
			long started = System.nanoTime();
			HttpResponse<String> read = this.probe.get(2, path, committed);
			long tookMicros = (System.nanoTime() - started) / 1_000;

			assertThat(read.statusCode()).isEqualTo(200);
			assertThat(read.body()).contains("\"name\":\"Written by psql\"");
			assertThat(cache(read)).isEqualTo("bypass");
			assertThat(this.stack.redis().exists(this.stack.keys().patient(id))).as("the stale entry, not invalidated")
				.isEqualTo(1);
			System.out.printf("FIGURE freshline-after, invalidator paused: first read on api-2 %s in %d us%n", cache(read),
					tookMicros);
		}
		finally {
			this.stack.resumeInvalidators();
		}
	}

	@Test
	void shouldReadThroughTheCacheWithFreshlineAfterOnceTheWatermarkCoversTheCommit() throws Exception {
		long id = 51;
		String path = "/patients/" + id;
		this.probe.get(1, path);
		assertThat(cache(this.probe.get(2, path))).isEqualTo("hit");
		PipelineFence fence = this.stack.apiBean(2, PipelineFence.class);

		this.stack.sql("UPDATE patient SET name = 'Read back through the cache' WHERE id = " + id);
		long committed = this.probe.walInsertPosition();
		long started = System.nanoTime();
		HttpResponse<String> first = this.probe.get(2, path, committed);
		long firstMicros = (System.nanoTime() - started) / 1_000;
		assertThat(first.body()).as("whatever the fence decided").contains("\"name\":\"Read back through the cache\"");

		await("api-2's fence covers the commit").until(
				() -> fence.applied(Namespace.PATIENT).map((watermark) -> watermark.covers(committed)).orElse(false));
		started = System.nanoTime();
		HttpResponse<String> covered = this.probe.get(2, path, committed);
		long coveredMicros = (System.nanoTime() - started) / 1_000;

		assertThat(cache(covered)).isIn("hit", "miss");
		assertThat(covered.body()).contains("\"name\":\"Read back through the cache\"");
		System.out.printf("FIGURE freshline-after, invalidator running: read right after the commit %s in %d us; "
				+ "read once covered %s in %d us (fence-wait 50 ms)%n", cache(first), firstMicros, cache(covered),
				coveredMicros);
	}

	private static Map<Integer, String> encoded(Map<Integer, Watermark> watermarks) {
		return watermarks.entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, (entry) -> entry.getValue().encode()));
	}

	/**
	 * The patient partitions the consumer that owns {@code stuck} owns, {@code stuck} included: a
	 * consumer held at one record applies none of them, whatever the assignment put together.
	 */
	private Set<Integer> heldWith(int stuck) throws Exception {
		String topic = this.probe.changeTopic("patient");
		return this.stack.partitionsOfTheConsumerOf(new TopicPartition(topic, stuck))
			.stream()
			.filter((partition) -> partition.topic().equals(topic))
			.map(TopicPartition::partition)
			.collect(Collectors.toSet());
	}
}
