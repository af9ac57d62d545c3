package dev.freshline.api.patient;

import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** Plain SQL over the patient table; ids arrive already parsed to canonical longs. */
@Repository
public class PatientRepository {

	private static final String COLUMNS = "id, mrn, name, date_of_birth, ward, version, updated_at";

	private final JdbcClient jdbc;

	PatientRepository(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	public Optional<Patient> findById(long id) {
		return this.jdbc.sql("SELECT " + COLUMNS + " FROM patient WHERE id = ?").param(id).query(Patient.class).optional();
	}

	public List<Patient> findByWard(String ward) {
		return this.jdbc.sql("SELECT " + COLUMNS + " FROM patient WHERE ward = ? ORDER BY id").param(ward).query(Patient.class).list();
	}

	public Patient insert(String mrn, String name, LocalDate dateOfBirth, String ward) {
		return this.jdbc
			.sql("INSERT INTO patient (mrn, name, date_of_birth, ward) VALUES (?, ?, ?, ?) RETURNING " + COLUMNS)
			.params(mrn, name, dateOfBirth, ward)
			.query(Patient.class)
			.single();
	}

	/** The updated row, and the ward it was on: a move must evict both wards' census. */
	public Optional<Updated> update(long id, String mrn, String name, LocalDate dateOfBirth, String ward) {
		return this.jdbc
			.sql("WITH previous AS (SELECT id, ward FROM patient WHERE id = ? FOR UPDATE) "
					+ "UPDATE patient p SET mrn = ?, name = ?, date_of_birth = ?, ward = ? FROM previous "
					+ "WHERE p.id = previous.id RETURNING p.id, p.mrn, p.name, p.date_of_birth, p.ward, p.version, "
					+ "p.updated_at, previous.ward AS previous_ward")
			.params(id, mrn, name, dateOfBirth, ward)
			.query((row, rowNumber) -> new Updated(new Patient(row.getLong("id"), row.getString("mrn"),
					row.getString("name"), row.getObject("date_of_birth", LocalDate.class), row.getString("ward"),
					row.getLong("version"), row.getObject("updated_at", OffsetDateTime.class)),
					row.getString("previous_ward")))
			.optional();
	}

	/** The deleted row, whose keys the delete must evict. */
	public Optional<Patient> delete(long id) {
		return this.jdbc.sql("DELETE FROM patient WHERE id = ? RETURNING " + COLUMNS).param(id).query(Patient.class).optional();
	}

	public record Updated(Patient patient, String previousWard) {
	}
}
