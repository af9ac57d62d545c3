package dev.freshline.cdc.capture;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

import org.jspecify.annotations.Nullable;

import dev.freshline.cdc.ConnectorProperties;

/**
 * The connector's replication slot as {@code pg_replication_slots} shows it, read with the
 * connector's own credentials: whether it exists, whether Postgres invalidated it, and how much
 * WAL it holds back. One home for the query that the unclean-stop check and the retained-WAL
 * gauge both need.
 */
final class ReplicationSlot {

	private static final String QUERY = "SELECT wal_status, pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn), "
			+ "pg_wal_lsn_diff(restart_lsn, '0/0') FROM pg_replication_slots WHERE slot_name = ?";

	private final ConnectorProperties.Database database;

	private final String name;

	ReplicationSlot(ConnectorProperties properties) {
		this.database = properties.database();
		this.name = properties.capture().slotName();
	}

	String name() {
		return this.name;
	}

	/**
	 * The slot now, or empty when there is none.
	 *
	 * @throws SQLException when Postgres cannot be asked
	 */
	Optional<State> read() throws SQLException {
		String password = (this.database.password() != null) ? this.database.password() : "";
		try (Connection connection = DriverManager.getConnection(this.database.jdbcUrl(), this.database.user(), password);
				PreparedStatement query = connection.prepareStatement(QUERY)) {
			query.setString(1, this.name);
			try (ResultSet row = query.executeQuery()) {
				if (!row.next()) {
					return Optional.empty();
				}
				String walStatus = row.getString(1);
				double retained = row.getDouble(2);
				boolean noRestartLsn = row.wasNull();
				long restartLsn = row.getLong(3);
				return Optional.of(new State(walStatus, noRestartLsn ? Double.NaN : retained, noRestartLsn ? -1 : restartLsn));
			}
		}
	}

	/**
	 * @param walStatus {@code reserved}, {@code extended}, {@code unreserved} or {@code lost}
	 * @param retainedBytes the WAL between the server's current LSN and the slot's restart LSN;
	 * NaN for a slot without a restart LSN
	 * @param restartLsn the oldest WAL position the slot can still stream from, -1 when it has none
	 */
	record State(@Nullable String walStatus, double retainedBytes, long restartLsn) {

		/** Postgres removed WAL the slot needed (e.g. for {@code max_slot_wal_keep_size}). */
		boolean lost() {
			return "lost".equals(this.walStatus);
		}
	}
}
