package dev.freshline.api.formulary;

import java.util.List;
import java.util.Optional;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** Plain SQL over formulary_item. */
@Repository
public class FormularyRepository {

	private static final String COLUMNS = "id, hospital_id, drug_code, drug_name, strength, form, status, version, updated_at";

	private final JdbcClient jdbc;

	FormularyRepository(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	public List<FormularyItem> findByHospital(long hospitalId) {
		return this.jdbc.sql("SELECT " + COLUMNS + " FROM formulary_item WHERE hospital_id = ? ORDER BY drug_name, id")
			.param(hospitalId)
			.query(FormularyItem.class)
			.list();
	}

	public FormularyItem insert(FormularyItemFields fields) {
		return this.jdbc
			.sql("INSERT INTO formulary_item (hospital_id, drug_code, drug_name, strength, form, status) "
					+ "VALUES (?, ?, ?, ?, ?, ?) RETURNING " + COLUMNS)
			.params(fields.hospitalId(), fields.drugCode(), fields.drugName(), fields.strength(), fields.form(),
					fields.status())
			.query(FormularyItem.class)
			.single();
	}

	public Optional<FormularyItem> update(long id, FormularyItemFields fields) {
		return this.jdbc
			.sql("UPDATE formulary_item SET hospital_id = ?, drug_code = ?, drug_name = ?, strength = ?, form = ?, "
					+ "status = ? WHERE id = ? RETURNING " + COLUMNS)
			.params(fields.hospitalId(), fields.drugCode(), fields.drugName(), fields.strength(), fields.form(),
					fields.status(), id)
			.query(FormularyItem.class)
			.optional();
	}

	public boolean delete(long id) {
		return this.jdbc.sql("DELETE FROM formulary_item WHERE id = ?").param(id).update() == 1;
	}

	/** The writable columns of an item, already validated. */
	public record FormularyItemFields(long hospitalId, String drugCode, String drugName, String strength, String form,
			String status) {
	}
}
