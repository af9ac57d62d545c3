package dev.freshline.cdc.capture;

import java.io.IOException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.debezium.engine.ChangeEvent;
import io.micrometer.core.instrument.MeterRegistry;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.stereotype.Component;

import dev.freshline.cdc.ConnectorProperties;
import dev.freshline.model.ChangeEventWriter;
import dev.freshline.model.Operation;
import dev.freshline.model.RuleSet;
import dev.freshline.model.Topics;
import dev.freshline.model.Watermark;

/**
 * The flush the connector owes downstream when a start may have lost changes the stream itself
 * never reports: Debezium 3.6.1 skips events that share one LSN when it resumes in the middle of
 * them (fixed in 3.7) after any stop that was not clean, an engine that failed resumes like after
 * a crash, and a start without offsets, with a new slot or with an invalidated one streams only
 * what is committed from then on ({@code snapshot.mode=no_data}). The flush is a TRUNCATE of each
 * captured table, the one event that already means "the keys of this table are unknown", and is
 * published before the new engine's first batch: after its slot exists, before any offset is
 * acknowledged. A clean stop leaves a marker next to the offsets, but never while a flush is
 * still owed or when the last acknowledged event lies inside a transaction, so the next start
 * owes it again.
 */
@Component
class UncleanStopGuard {

	private static final Logger log = LoggerFactory.getLogger(UncleanStopGuard.class);

	private static final Pattern MESSAGE_TYPE = Pattern.compile("\"messageType\"\\s*:\\s*\"([A-Z_]+)\"");

	/** What Debezium resumes after: {@code PostgresOffsetContext.lastCompletelyProcessedLsn}. */
	private static final Pattern PROCESSED_LSN = Pattern.compile("\"lsn_proc\"\\s*:\\s*(\\d+)");

	/** The last event's LSN, where Debezium resumes when no event was completely processed. */
	private static final Pattern EVENT_LSN = Pattern.compile("\"lsn\"\\s*:\\s*(\\d+)");

	private final Path offsets;

	private final Path marker;

	private final ReplicationSlot slot;

	private final RuleSet rules;

	private final Topics topics;

	private final ChangePublisher publisher;

	private final ChangeEventWriter writer = new ChangeEventWriter();

	private final MeterRegistry meters;

	/** Why a flush is owed, or null when none is. */
	private volatile @Nullable String owed;

	UncleanStopGuard(ConnectorProperties properties, RuleSet rules, ChangePublisher publisher, MeterRegistry meters) {
		this.offsets = properties.capture().offsetFile().toAbsolutePath();
		this.marker = this.offsets.resolveSibling(this.offsets.getFileName() + ".clean-stop");
		this.slot = new ReplicationSlot(properties);
		this.rules = rules;
		this.topics = new Topics(properties.topicPrefix());
		this.publisher = publisher;
		this.meters = meters;
	}

	/**
	 * Before each engine start: works out whether a flush is owed. The marker is removed, so only a
	 * stop that completes with nothing owed writes it back.
	 */
	void beforeStart() {
		boolean clean = deleteMarker();
		String reason = this.owed;
		String kind = "engine-failed";
		String unservable = setAsideOffsetsTheSlotCannotServe();
		if (unservable != null) {
			reason = unservable;
			kind = "slot-recreated";
		}
		else if (reason == null && !Files.exists(this.offsets)) {
			reason = "there is no offsets file " + this.offsets + " (first start, lost volume, or offsets deleted)";
			kind = "no-offsets";
		}
		else if (reason == null && !clean) {
			reason = "the connector did not stop cleanly last time (no " + this.marker.getFileName()
					+ "): events sharing one LSN may have been skipped";
			kind = "unclean-stop";
		}
		else if (reason == null) {
			reason = slotProblem();
			kind = "slot";
		}
		if (reason == null) {
			return;
		}
		this.owed = reason;
		this.meters.counter("freshline.cdc.unclean.restarts", "reason", kind).increment();
		log.warn("A flush of the namespaces of {} is owed because {}; it is published before the first batch",
				this.rules.tables().keySet(), reason);
	}

	/**
	 * Before the engine's batches are handled: publishes the owed flush, under the delivery rule
	 * (retried until Kafka acknowledged it), so no offset is acknowledged before it.
	 */
	void beforeBatch(BooleanSupplier stopping) throws InterruptedException {
		String reason = this.owed;
		if (reason == null) {
			return;
		}
		publishFlushes(stopping);
		this.owed = null;
		log.info("Published the flush of the namespaces of {} (owed because {})", this.rules.tables().keySet(), reason);
	}

	/** The engine stopped with an error or on its own: it resumes as after a crash. */
	void engineFailed(@Nullable String message) {
		this.owed = "the engine stopped unexpectedly (" + message + ")";
	}

	/** After the engine stopped and flushed its offsets. */
	void afterCleanStop() {
		String reason = this.owed;
		if (reason == null) {
			reason = storedInsideATransaction();
		}
		if (reason != null) {
			log.warn("Not writing {}: a flush is still owed because {}; the next start publishes it",
					this.marker.getFileName(), reason);
			return;
		}
		try {
			Files.writeString(this.marker, "stopped cleanly\n");
		}
		catch (IOException ex) {
			// the next start flushes once too many: harmless
			log.warn("Could not write {}: {}", this.marker, ex.toString());
		}
	}

	/**
	 * A stop is clean only where the stream is between transactions: the stored offset is the last
	 * acknowledged event's, and Debezium 3.6.1 resuming inside a transaction skips every event that
	 * shares that event's LSN (all rows of a COPY), however cleanly it stopped. Its Postgres offset
	 * names the last message's type: only after a COMMIT (or before any message) is it between
	 * transactions. Unreadable counts as inside.
	 */
	private @Nullable String storedInsideATransaction() {
		if (!Files.exists(this.offsets)) {
			return null; // nothing stored: the next start owes a flush for that anyway
		}
		try {
			for (String offset : storedOffsets()) {
				Matcher type = MESSAGE_TYPE.matcher(offset);
				if (type.find() && !"COMMIT".equals(type.group(1))) {
					return "the stored offset lies inside a transaction (after a " + type.group(1)
							+ "): a resume may skip the events that share its LSN";
				}
			}
			return null;
		}
		catch (IOException | ClassNotFoundException | RuntimeException ex) {
			return "the stored offset could not be read (" + ex + ")";
		}
	}

	/**
	 * The stored offsets as JSON. The file is Kafka's {@code FileOffsetBackingStore} format, a
	 * serialized map of byte arrays holding JSON; read with a filter that admits nothing else.
	 */
	private List<String> storedOffsets() throws IOException, ClassNotFoundException {
		try (ObjectInputStream in = new ObjectInputStream(Files.newInputStream(this.offsets))) {
			in.setObjectInputFilter(UncleanStopGuard::offsetClassesOnly);
			return ((Map<?, ?>) in.readObject()).values()
				.stream()
				.map((value) -> new String((byte[]) value, StandardCharsets.UTF_8))
				.toList();
		}
	}

	/**
	 * Debezium resumes from the stored offset only while the slot still holds the WAL from there:
	 * its restart LSN at or before the offset's last completely processed LSN ({@code lsn_proc}).
	 * Otherwise every start fails ("Last recorded offset is no longer available on the server")
	 * and the connector never streams again; or, for an offset with no completely processed event
	 * (only {@code lsn}), Debezium streams from the slot and skips the gap without a word. That is
	 * the case once the slot was dropped (by an
	 * operator, a failover, a major upgrade; Debezium creates a missing one on its next attempt)
	 * or when the offsets are an older copy. What was committed in between can never be streamed:
	 * the offsets are set aside beside the file, the engine streams from the slot's position, and
	 * the flush owed covers the gap. Returns why, or null when the offsets can be resumed from (or
	 * the slot cannot be read: {@link #slotProblem()} owes a flush for that).
	 */
	/** Where Debezium resumes from {@code offset}: its {@code lsn_proc}, else its {@code lsn}; -1 for neither. */
	private static long resumeLsn(String offset) {
		for (Pattern pattern : List.of(PROCESSED_LSN, EVENT_LSN)) {
			Matcher lsn = pattern.matcher(offset);
			if (lsn.find()) {
				return Long.parseLong(lsn.group(1));
			}
		}
		return -1;
	}

	private @Nullable String setAsideOffsetsTheSlotCannotServe() {
		if (!Files.exists(this.offsets)) {
			return null;
		}
		String slot = this.slot.name();
		String why;
		try {
			Optional<ReplicationSlot.State> state = this.slot.read();
			long processed = storedOffsets().stream().mapToLong(UncleanStopGuard::resumeLsn).max().orElse(-1);
			if (state.isEmpty()) {
				why = "replication slot " + slot + " does not exist";
			}
			else if (processed >= 0 && state.get().restartLsn() > processed) {
				why = "replication slot " + slot + " restarts at " + Watermark.formatLsn(state.get().restartLsn())
						+ ", past the stored offset " + Watermark.formatLsn(processed)
						+ ": it was dropped and created again, or the offsets are an older copy";
			}
			else {
				return null;
			}
		}
		catch (SQLException | IOException | ClassNotFoundException | RuntimeException ex) {
			return null;
		}
		Path aside = this.offsets.resolveSibling(this.offsets.getFileName() + ".unservable-" + System.currentTimeMillis());
		try {
			Files.move(this.offsets, aside);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("cannot set aside the offsets " + this.offsets + " that the slot cannot serve", ex);
		}
		return why + "; what was committed since the stored offset cannot be streamed: the offsets were set aside as "
				+ aside.getFileName() + " and streaming starts at the slot's position";
	}

	/** A HashMap of byte arrays (HashMap checks its table as a Map.Entry array), and nothing else. */
	private static ObjectInputFilter.Status offsetClassesOnly(ObjectInputFilter.FilterInfo info) {
		Class<?> type = info.serialClass();
		return (type == null || type == HashMap.class || type == byte[].class || type == Map.Entry[].class)
				? ObjectInputFilter.Status.ALLOWED : ObjectInputFilter.Status.REJECTED;
	}

	/**
	 * A missing slot is created by Debezium, which then streams from its creation only; a lost one
	 * (its WAL was removed, e.g. by {@code max_slot_wal_keep_size}) cannot stream at all, and the
	 * usual recovery drops it. When the slot cannot be checked, a flush is owed all the same.
	 */
	private @Nullable String slotProblem() {
		String slot = this.slot.name();
		try {
			Optional<ReplicationSlot.State> state = this.slot.read();
			if (state.isEmpty()) {
				return "replication slot " + slot + " does not exist: a new slot streams only what is committed after it";
			}
			if (state.get().lost()) {
				return "replication slot " + slot + " was invalidated (wal_status lost): WAL it needed was removed";
			}
			return null;
		}
		catch (SQLException ex) {
			return "replication slot " + slot + " could not be checked (" + ex.getMessage() + ")";
		}
	}

	private boolean deleteMarker() {
		try {
			return Files.deleteIfExists(this.marker);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("cannot remove the clean-stop marker " + this.marker, ex);
		}
	}

	private void publishFlushes(BooleanSupplier stopping) throws InterruptedException {
		long now = System.currentTimeMillis();
		List<ChangeEvent<byte[], byte[]>> flushes = this.rules.tables()
			.keySet()
			.stream()
			.<ChangeEvent<byte[], byte[]>>map((table) -> new FlushRequest(this.topics.changes(table), truncateOf(table, now)))
			.toList();
		this.publisher.publish(flushes, stopping);
	}

	private byte[] truncateOf(String table, long now) {
		// Freshline's change event, not Debezium's engine record of the same simple name
		return this.writer.write(new dev.freshline.model.ChangeEvent(Operation.TRUNCATE, table, null, null, now, 0))
			.getBytes(StandardCharsets.UTF_8);
	}

	/** A TRUNCATE of one table, keyless as Debezium's own TRUNCATE events are. */
	private record FlushRequest(String destination, byte[] value) implements ChangeEvent<byte[], byte[]> {

		@Override
		public byte @Nullable [] key() {
			return null;
		}

		@Override
		public @Nullable Integer partition() {
			return null;
		}
	}
}
