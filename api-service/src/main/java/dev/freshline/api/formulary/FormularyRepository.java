package dev.freshline.api.formulary;

import java.util.List;
import java.util.Optional;

import org.springframework.jdbc.core.DataClassRowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** Plain SQL over formulary_item. */
@Repository
public class FormularyRepository {

	private static final String COLUMNS = "id, hospital_id, drug_code, drug_name, strength, form, status, version, updated_at";

	private static final DataClassRowMapper<FormularyItem> ITEM = new DataClassRowMapper<>(FormularyItem.class);

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

	/** Updates an item and tells which hospital it belonged to before, so both lists can be evicted. */
	public Optional<Updated> update(long id, FormularyItemFields fields) {
		return this.jdbc
			.sql("WITH previous AS (SELECT id, hospital_id FROM formulary_item WHERE id = ? FOR UPDATE) "
					+ "UPDATE formulary_item f SET hospital_id = ?, drug_code = ?, drug_name = ?, strength = ?, form = ?, "
					+ "status = ? FROM previous WHERE f.id = previous.id RETURNING "
					+ COLUMNS.replaceAll("(\\w+)", "f.$1") + ", previous.hospital_id AS previous_hospital_id")
			.params(id, fields.hospitalId(), fields.drugCode(), fields.drugName(), fields.strength(), fields.form(),
					fields.status())
			.query((row, number) -> new Updated(ITEM.mapRow(row, number), row.getLong("previous_hospital_id")))
			.optional();
	}

	/** Deletes an item, returning the hospital whose list it left. */
	public Optional<Long> delete(long id) {
		return this.jdbc.sql("DELETE FROM formulary_item WHERE id = ? RETURNING hospital_id")
			.param(id)
			.query(Long.class)
			.optional();
	}

	/** An updated item and the hospital it was on before the update. */
	public record Updated(FormularyItem item, long previousHospitalId) {
	}

	/** The writable columns of an item, already validated. */
	public record FormularyItemFields(long hospitalId, String drugCode, String drugName, String strength, String form,
			String status) {
	}
}
