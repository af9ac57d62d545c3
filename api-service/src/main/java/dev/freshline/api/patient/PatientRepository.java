package dev.freshline.api.patient;

import java.time.LocalDate;
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

	public Patient insert(String mrn, String name, LocalDate dateOfBirth, String ward) {
		return this.jdbc
			.sql("INSERT INTO patient (mrn, name, date_of_birth, ward) VALUES (?, ?, ?, ?) RETURNING " + COLUMNS)
			.params(mrn, name, dateOfBirth, ward)
			.query(Patient.class)
			.single();
	}

	public Optional<Patient> update(long id, String mrn, String name, LocalDate dateOfBirth, String ward) {
		return this.jdbc
			.sql("UPDATE patient SET mrn = ?, name = ?, date_of_birth = ?, ward = ? WHERE id = ? RETURNING " + COLUMNS)
			.params(mrn, name, dateOfBirth, ward, id)
			.query(Patient.class)
			.optional();
	}

	public boolean delete(long id) {
		return this.jdbc.sql("DELETE FROM patient WHERE id = ?").param(id).update() == 1;
	}
}
