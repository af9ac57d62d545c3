package dev.freshline.model;

import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class InvalidationRulesTests {

	private final InvalidationRules rules = new InvalidationRules(new CacheKeys("fl"));

	@Test
	void shouldEvictBothHospitalsWhenAnItemMoves() {
		ChangeEvent moved = event(Operation.UPDATE, "formulary_item", Map.of("id", 5, "hospital_id", 1),
				Map.of("id", 5, "hospital_id", 2));

		assertThat(keysFor(moved)).containsExactly("fl:formulary:{1}", "fl:formulary:{2}");
	}

	@Test
	void shouldEvictFromTheBeforeImageOnDelete() {
		ChangeEvent deleted = event(Operation.DELETE, "patient", Map.of("id", 9), null);

		assertThat(keysFor(deleted)).containsExactly("fl:patient:{9}");
	}

	@Test
	void shouldEvictFromTheAfterImageOnInsert() {
		ChangeEvent created = event(Operation.CREATE, "patient", null, Map.of("id", 10L));

		assertThat(keysFor(created)).containsExactly("fl:patient:{10}");
	}

	@Test
	void shouldRaiseAPatientFloorToTheNewVersion() {
		ChangeEvent updated = event(Operation.UPDATE, "patient", Map.of("id", 9), Map.of("id", 9, "version", 4));

		assertThat(this.rules.invalidationsFor(updated)).containsExactly(new Invalidation("fl:patient:{9}", 4));
	}

	@Test
	void shouldRefuseEveryLaterFillOfADeletedPatient() {
		ChangeEvent deleted = event(Operation.DELETE, "patient", Map.of("id", 9), null);

		assertThat(this.rules.invalidationsFor(deleted)).containsExactly(new Invalidation("fl:patient:{9}", Invalidation.DELETED));
	}

	@Test
	void shouldLeaveCollectionsWithoutAFloor() {
		ChangeEvent moved = event(Operation.UPDATE, "formulary_item", Map.of("id", 5, "hospital_id", 1, "version", 3),
				Map.of("id", 5, "hospital_id", 2, "version", 4));

		assertThat(this.rules.invalidationsFor(moved)).extracting(Invalidation::floor).containsOnly(Invalidation.NO_FLOOR);
	}

	@Test
	void shouldRefuseTablesWithoutARule() {
		assertThatThrownBy(() -> keysFor(event(Operation.CREATE, "audit", null, Map.of("id", 1))))
			.isInstanceOf(UnmappableChangeEventException.class)
			.hasMessageContaining("audit");
	}

	@Test
	void shouldRefuseChangesWithoutTheKeyColumn() {
		assertThatThrownBy(() -> keysFor(event(Operation.UPDATE, "formulary_item", Map.of("id", 1),
				Map.of("id", 1)))).isInstanceOf(UnmappableChangeEventException.class);
	}

	private java.util.List<String> keysFor(ChangeEvent event) {
		return this.rules.invalidationsFor(event).stream().map(Invalidation::key).toList();
	}

	private static ChangeEvent event(Operation operation, String table, Map<String, Object> before,
			Map<String, Object> after) {
		return new ChangeEvent(operation, table, before, after, 0, 0);
	}
}
