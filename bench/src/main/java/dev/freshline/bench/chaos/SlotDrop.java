package dev.freshline.bench.chaos;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import dev.freshline.embedded.PostgresServer;

/**
 * The connector's replication slot dropped while it streams: its walsender is terminated and the
 * slot dropped as soon as it is free. Changes committed before the connector has a slot again are
 * in no slot; docs/design.md lists what the connector does about it (and its open gap).
 */
final class SlotDrop implements Fault {

	/** The slot the launcher's connector uses ({@code CDC_SLOT_NAME}'s default). */
	private static final String SLOT = "freshline";

	@Override
	public String description() {
		return "the replication slot dropped while the connector streams (walsender terminated, then pg_drop_replication_slot)";
	}

	@Override
	public void inject(ChaosContext context) throws Exception {
		try (Connection connection = DriverManager.getConnection(context.stack().jdbcUrl(), PostgresServer.SUPERUSER,
				PostgresServer.SUPERUSER_PASSWORD)) {
			long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
			while (true) {
				try (PreparedStatement drop = connection.prepareStatement(
						"SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE slot_name = ? AND active_pid IS NOT NULL");
						PreparedStatement dropSlot = connection.prepareStatement("SELECT pg_drop_replication_slot(?)")) {
					drop.setString(1, SLOT);
					drop.execute();
					dropSlot.setString(1, SLOT);
					try (ResultSet ignored = dropSlot.executeQuery()) {
						context.progress().line("  replication slot %s dropped", SLOT);
						return;
					}
				}
				catch (SQLException ex) {
					// 55006: still active (the connector reconnected, or its walsender is exiting); 42704: gone already
					if (!"55006".equals(ex.getSQLState()) || System.nanoTime() > deadline) {
						throw ex;
					}
					LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
				}
			}
		}
	}
}
