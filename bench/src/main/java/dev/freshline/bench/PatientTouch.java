package dev.freshline.bench;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * The bench's write: an UPDATE of a patient that changes no field, so the row's trigger raises its
 * version and the connector sees a change, answering the new version, which a read of the patient
 * must then serve. One prepared statement on the caller's connection, reused for every write.
 */
final class PatientTouch implements AutoCloseable {

	private final PreparedStatement update;

	PatientTouch(Connection sql) throws SQLException {
		this.update = sql.prepareStatement("UPDATE patient SET ward = ward WHERE id = ? RETURNING version");
	}

	/** Writes patient {@code id} (auto-commit) and returns the version it now has. */
	long touch(long id) throws SQLException {
		this.update.setLong(1, id);
		try (ResultSet row = this.update.executeQuery()) {
			if (!row.next()) {
				throw new IllegalStateException("no patient " + id + " to write");
			}
			return row.getLong(1);
		}
	}

	@Override
	public void close() throws SQLException {
		this.update.close();
	}
}
