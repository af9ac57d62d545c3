package dev.freshline.cdc.capture;

import java.util.Map;
import java.util.Objects;

import io.debezium.engine.ChangeEvent;
import org.jspecify.annotations.Nullable;

import dev.freshline.model.Watermark;

/**
 * Learns, from the records of one engine in the order the engine handed them over, the latest
 * commit whose every record came before: the watermark a marker may claim once those records are
 * acknowledged. A marker may understate progress, never overstate it.
 * <p>
 * The rule, from Debezium 3.6.1's Postgres connector ({@code PostgresStreamingChangeEventSource},
 * {@code PostgresOffsetContext}, {@code SourceInfo}). pgoutput (protocol 1, no streaming of
 * transactions in progress) sends each transaction whole, between its BEGIN and COMMIT, in the
 * order of the commits; rows of concurrent transactions interleave in the WAL, commits do not.
 * Every record carries the offset that was current when it was emitted ({@code getOffset()}
 * builds a new map; read through {@link RecordOffsets}), and in it {@code lsn_commit} is the LSN of the last COMMIT message the
 * engine processed ({@code commitMessage} -> {@code updateCommitPosition}): the end of that
 * commit record, which is what pgoutput reports for a COMMIT. So every record of every
 * transaction committed at or before {@code lsn_commit} was emitted before the record that carries
 * it; acknowledged in order, they are published. A row's own {@code lsn} is never used: it may lie
 * below the commits of transactions still open around it.
 * <p>
 * The time that goes with {@code lsn_commit} must be Postgres' commit time of that transaction,
 * never this host's clock. {@code ts_usec} is the commit time of the transaction the engine was in
 * when it emitted the record ({@code updateWalPosition} takes it from the BEGIN and COMMIT
 * messages): the commit it names exactly when the offset's {@code messageType} is {@code COMMIT}
 * (a heartbeat emitted right after a commit, or while nothing arrives), and a later, still open
 * transaction otherwise. In that case the time of the last transaction seen to end before the
 * record is used: it ended at or before {@code lsn_commit}, so the time understates (the
 * transaction named by {@code lsn_commit}, e.g. a heartbeat write, may be later and has no record
 * of its own). Until such a time is known (the first records of an engine) nothing is claimed, and
 * an offset without a message type (the initial one, timed by this host's clock) teaches nothing.
 * One tracker serves one engine: a restarted engine re-reads from its stored offsets, and a time
 * learned from later commits must never be paired with an earlier LSN.
 */
final class CommitTracker {

	static final String COMMIT_LSN = "lsn_commit";

	static final String COMMIT_MICROS = "ts_usec";

	static final String TRANSACTION = "txId";

	static final String MESSAGE_TYPE = "messageType";

	/** The transaction the last record was in, and its commit time (Postgres' clock, ms). */
	private @Nullable Object transaction;

	private long transactionMillis = -1;

	/** Commit time of the last transaction known to have ended, or -1 while none is known. */
	private long endedMillis = -1;

	private @Nullable Watermark covered;

	/**
	 * Takes the engine's records in order and returns the latest watermark they prove, or the one
	 * proven before when they prove nothing new; null while nothing is proven.
	 */
	@Nullable Watermark observe(Iterable<? extends ChangeEvent<byte[], byte[]>> records, RecordOffsets offsets) {
		for (ChangeEvent<byte[], byte[]> record : records) {
			observe(offsets.of(record));
		}
		return this.covered;
	}

	@Nullable Watermark covered() {
		return this.covered;
	}

	void observe(@Nullable Map<String, ?> offset) {
		if (offset == null || !(offset.get(COMMIT_LSN) instanceof Long commitLsn)
				|| !(offset.get(COMMIT_MICROS) instanceof Long micros) || offset.get(MESSAGE_TYPE) == null) {
			// no message type: the initial offset of a start without offsets, whose ts_usec is this
			// host's clock and whose txId is the connector's own (PostgresOffsetContext.initialContext)
			return;
		}
		long millis = Math.floorDiv(micros, 1000);
		Object transaction = offset.get(TRANSACTION);
		if ("COMMIT".equals(offset.get(MESSAGE_TYPE))) {
			// right after that commit: lsn_commit and ts_usec name the same transaction
			this.endedMillis = millis;
			this.transaction = transaction;
			this.transactionMillis = millis;
		}
		else {
			if (transaction != null && !Objects.equals(transaction, this.transaction)) {
				// a new transaction began, so the one before it ended (at or before lsn_commit)
				if (this.transaction != null) {
					this.endedMillis = this.transactionMillis;
				}
				this.transaction = transaction;
				this.transactionMillis = millis;
			}
		}
		if (this.endedMillis < 0) {
			return;
		}
		Watermark previous = this.covered;
		if (previous == null || commitLsn > previous.lsn()) {
			this.covered = new Watermark(commitLsn, this.endedMillis);
		}
	}
}
