package dev.freshline.bench;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Grows the patient table for the scenarios that need more rows than the demo data: synthetic
 * patients, added with SQL after the highest id, on wards of their own ({@code bench-0} to
 * {@code bench-49}) so that the demo wards' lists keep their size. Callers wait for the pipeline
 * to apply the inserts in their own way.
 */
final class BenchPatients {

	private BenchPatients() {
	}

	/** Adds patients until the table has at least {@code rows}; returns how many it added. */
	static long ensure(Connection sql, long rows) throws SQLException {
		long count;
		long last;
		try (Statement statement = sql.createStatement();
				ResultSet row = statement.executeQuery("SELECT count(*), coalesce(max(id), 0) FROM patient")) {
			row.next();
			count = row.getLong(1);
			last = row.getLong(2);
		}
		if (count >= rows) {
			return 0;
		}
		// the numbers continue after the highest id, so a medical record number is never reused
		try (PreparedStatement insert = sql.prepareStatement("""
				INSERT INTO patient (mrn, name, date_of_birth, ward)
				SELECT 'BENCH-' || n, 'Bench patient ' || n, date '1940-01-01' + (n % 29000)::int, 'bench-' || (n % 50)
				FROM generate_series(?::bigint, ?::bigint) AS n""")) {
			insert.setLong(1, last + 1);
			insert.setLong(2, last + rows - count);
			return insert.executeUpdate();
		}
	}
}
