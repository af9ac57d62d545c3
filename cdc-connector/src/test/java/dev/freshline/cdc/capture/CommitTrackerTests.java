package dev.freshline.cdc.capture;

import java.util.HashMap;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

import dev.freshline.model.Watermark;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The LSN and time rule on offsets shaped as Debezium 3.6.1's Postgres connector writes them
 * ({@code lsn_commit}, {@code ts_usec}, {@code txId}, {@code messageType}).
 */
class CommitTrackerTests {

	private final CommitTracker tracker = new CommitTracker();

	@Test
	void shouldClaimNothingWhileOnlyTheFirstTransactionIsSeen() {
		// the first rows of an engine: lsn_commit names a commit whose time is not known
		this.tracker.observe(row(100, 7, 5_000));
		this.tracker.observe(row(100, 7, 5_000));

		assertThat(this.tracker.covered()).isNull();
	}

	@Test
	void shouldPairTheCommitBeforeATransactionWithTheTimeOfTheLastTransactionSeenToEnd() {
		this.tracker.observe(row(100, 7, 5_000));
		// transaction 8 begins: 7 ended, and lsn_commit (200) is its commit or a later one (a heartbeat)
		this.tracker.observe(row(200, 8, 6_000));

		assertThat(this.tracker.covered()).isEqualTo(new Watermark(200, 5));
	}

	@Test
	void shouldTakeTheExactCommitAfterACommitAndNeverTheOpenTransactionsTime() {
		this.tracker.observe(row(100, 7, 5_000));
		this.tracker.observe(committed(300, 7, 5_000));
		assertThat(this.tracker.covered()).isEqualTo(new Watermark(300, 5));

		// a batch that ends inside transaction 9 (committing at 9 ms) claims only the commit before it
		this.tracker.observe(row(300, 9, 9_000));
		assertThat(this.tracker.covered()).isEqualTo(new Watermark(300, 5));

		this.tracker.observe(committed(400, 9, 9_000));
		assertThat(this.tracker.covered()).isEqualTo(new Watermark(400, 9));
	}

	@Test
	void shouldNeverGoBackwards() {
		this.tracker.observe(committed(400, 9, 9_000));
		this.tracker.observe(committed(300, 8, 8_000));

		assertThat(this.tracker.covered()).isEqualTo(new Watermark(400, 9));
	}

	@Test
	void shouldNeverTakeTheHostClockOfTheInitialOffset() {
		// a start without offsets: Debezium's initial offset has no message type, the connector's own
		// transaction id and this host's clock as ts_usec
		this.tracker.observe(offset(100, 3, 99_000_000, null));
		this.tracker.observe(row(100, 7, 5_000));
		assertThat(this.tracker.covered()).isNull();

		this.tracker.observe(row(200, 8, 6_000));
		assertThat(this.tracker.covered()).isEqualTo(new Watermark(200, 5));
	}

	@Test
	void shouldIgnoreOffsetsWithoutACommitLsn() {
		this.tracker.observe(Map.of("lsn", 5L, "ts_usec", 1_000L));
		this.tracker.observe((Map<String, ?>) null);

		assertThat(this.tracker.covered()).isNull();
	}

	private static Map<String, ?> row(long commitLsn, long transaction, long micros) {
		return offset(commitLsn, transaction, micros, "UPDATE");
	}

	private static Map<String, ?> committed(long commitLsn, long transaction, long micros) {
		return offset(commitLsn, transaction, micros, "COMMIT");
	}

	private static Map<String, ?> offset(long commitLsn, long transaction, long micros, @Nullable String type) {
		Map<String, Object> offset = new HashMap<>();
		offset.put("lsn_commit", commitLsn);
		offset.put("lsn", commitLsn + 10);
		offset.put("txId", transaction);
		offset.put("ts_usec", micros);
		offset.put("messageType", type);
		return offset;
	}
}
