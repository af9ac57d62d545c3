package dev.freshline.pipeline;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.assertj.core.api.Assertions.assertThat;
import static dev.freshline.pipeline.Waits.await;

/**
 * The replication slot must not hold WAL while the captured tables are quiet: other writers to
 * the same database (here 20 MB into a table outside the rules) would otherwise fill the disk,
 * or get the slot invalidated by {@code max_slot_wal_keep_size}.
 */
@ExtendWith(PipelineStackExtension.class)
class SlotRetentionIntegrationTests {

	private static final String RETAINED = "freshline.slot.retained.wal";

	private static final double MEGABYTE = 1024 * 1024;

	@Test
	void shouldReleaseWalWrittenOutsideTheCapturedTablesWithinAFewHeartbeats(PipelineStack stack) throws Exception {
		stack.sql("CREATE TABLE wal_filler (id int PRIMARY KEY, pad text NOT NULL)");
		stack.sql("INSERT INTO wal_filler SELECT g, repeat(md5(g::text), 32) FROM generate_series(1, 20000) AS g");
		assertThat(stack.connectorGauge(RETAINED)).as("the filler's WAL is written").isGreaterThan(16 * MEGABYTE);

		// heartbeats every second, offsets flushed every second: the slot's restart LSN follows
		await().atMost(Duration.ofSeconds(30))
			.untilAsserted(() -> assertThat(stack.connectorGauge(RETAINED)).isLessThan(4 * MEGABYTE));
	}
}
