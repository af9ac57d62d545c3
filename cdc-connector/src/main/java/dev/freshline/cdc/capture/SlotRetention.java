package dev.freshline.cdc.capture;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.stereotype.Component;

import dev.freshline.cdc.ConnectorProperties;

/**
 * How much WAL the replication slot holds back ({@code freshline.slot.retained.wal}, bytes): a
 * slot that stops advancing fills the database's disk, or is invalidated by
 * {@code max_slot_wal_keep_size} and takes the change stream with it. Read from
 * {@code pg_replication_slots} each time the gauge is read; NaN while Postgres cannot answer.
 */
@Component
class SlotRetention {

	private static final Logger log = LoggerFactory.getLogger(SlotRetention.class);

	private static final String QUERY = "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn) "
			+ "FROM pg_replication_slots WHERE slot_name = ?";

	private final ConnectorProperties.Database database;

	private final String slotName;

	SlotRetention(ConnectorProperties properties, MeterRegistry meters) {
		this.database = properties.database();
		this.slotName = properties.capture().slotName();
		Gauge.builder("freshline.slot.retained.wal", this, SlotRetention::retainedBytes)
			.baseUnit("bytes")
			.description("WAL the connector's replication slot keeps from being recycled")
			.tag("slot", this.slotName)
			.register(meters);
	}

	/** The bytes between the server's current LSN and the slot's restart LSN; NaN if unknown. */
	double retainedBytes() {
		String password = (this.database.password() != null) ? this.database.password() : "";
		try (Connection connection = DriverManager.getConnection(this.database.jdbcUrl(), this.database.user(), password);
				PreparedStatement query = connection.prepareStatement(QUERY)) {
			query.setString(1, this.slotName);
			try (ResultSet row = query.executeQuery()) {
				// no slot yet (before the first start), or one without a restart LSN
				if (!row.next()) {
					return Double.NaN;
				}
				double retained = row.getDouble(1);
				return row.wasNull() ? Double.NaN : retained;
			}
		}
		catch (SQLException ex) {
			log.debug("Cannot read the retained WAL of slot {}: {}", this.slotName, ex.getMessage());
			return Double.NaN;
		}
	}
}
