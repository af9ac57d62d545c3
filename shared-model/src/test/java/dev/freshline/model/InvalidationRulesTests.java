package dev.freshline.model;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class InvalidationRulesTests {

	private final InvalidationRules rules = new InvalidationRules(RuleSet.loadDefault(), new CacheKeys("fl"));

	@Test
	void shouldEvictBothHospitalsWhenAnItemMoves() {
		ChangeEvent moved = event(Operation.UPDATE, "formulary_item", Map.of("id", 5, "hospital_id", 1),
				Map.of("id", 5, "hospital_id", 2));

		assertThat(keysFor(moved)).containsExactlyInAnyOrder("fl:formulary:{1}", "fl:formulary:{2}");
	}

	@Test
	void shouldEvictBothWardsAndThePatientWhenAPatientMoves() {
		ChangeEvent moved = event(Operation.UPDATE, "patient", patient(9, "ward-a", 3), patient(9, "ward-b", 4));

		assertThat(this.rules.planFor(moved).invalidations()).containsExactlyInAnyOrder(
				new Invalidation("fl:patient:{9}", 4), new Invalidation("fl:ward:{ward-a}", Invalidation.NO_FLOOR),
				new Invalidation("fl:ward:{ward-b}", Invalidation.NO_FLOOR));
	}

	@Test
	void shouldEvictFromTheBeforeImageOnDeleteAndRefuseEveryLaterFill() {
		ChangeEvent deleted = event(Operation.DELETE, "patient", patient(9, "ward-a", 3), null);

		assertThat(this.rules.planFor(deleted).invalidations()).containsExactlyInAnyOrder(
				new Invalidation("fl:patient:{9}", Invalidation.DELETED),
				new Invalidation("fl:ward:{ward-a}", Invalidation.NO_FLOOR));
	}

	@Test
	void shouldEvictFromTheAfterImageOfInsertsAndSnapshotReads() {
		for (Operation operation : List.of(Operation.CREATE, Operation.READ)) {
			ChangeEvent event = event(operation, "patient", null, patient(10, "ward-c", 1));

			assertThat(keysFor(event)).containsExactlyInAnyOrder("fl:patient:{10}", "fl:ward:{ward-c}");
		}
	}

	@Test
	void shouldEvictBothKeysWhenThePrimaryKeyChanges() {
		// Debezium reports a primary-key change as a delete of the old key and a create of the new
		ChangeEvent oldKey = event(Operation.DELETE, "patient", patient(9, "ward-a", 3), null);
		ChangeEvent newKey = event(Operation.CREATE, "patient", null, patient(90, "ward-a", 4));

		assertThat(keysFor(oldKey)).contains("fl:patient:{9}");
		assertThat(keysFor(newKey)).contains("fl:patient:{90}");
	}

	@Test
	void shouldFlushTheNamespacesOfATruncatedTable() {
		InvalidationPlan plan = this.rules.planFor(event(Operation.TRUNCATE, "patient", null, null));

		assertThat(plan.flushes()).containsExactlyInAnyOrder(Namespace.PATIENT, Namespace.WARD);
		assertThat(plan.invalidations()).isEmpty();
		assertThat(plan.reasons()).containsExactly("TRUNCATE of patient");
	}

	@Test
	void shouldFlushTheNamespaceWhenAKeyColumnArrivesAsTheToastPlaceholder() {
		Map<String, Object> after = patient(9, InvalidationRules.UNAVAILABLE_VALUE, 4);
		InvalidationPlan plan = this.rules.planFor(event(Operation.UPDATE, "patient", patient(9, "ward-a", 3), after));

		assertThat(plan.flushes()).containsExactly(Namespace.WARD);
		assertThat(plan.reasons()).singleElement().asString().contains("TOASTed ward");
		assertThat(plan.invalidations()).extracting(Invalidation::key)
			.as("what the images do name is still invalidated")
			.containsExactlyInAnyOrder("fl:patient:{9}", "fl:ward:{ward-a}");
	}

	@Test
	void shouldFlushWhenAnUpdateLacksItsBeforeImage() {
		InvalidationPlan plan = this.rules.planFor(event(Operation.UPDATE, "patient", null, patient(9, "ward-b", 4)));

		assertThat(plan.flushes()).containsExactlyInAnyOrder(Namespace.PATIENT, Namespace.WARD);
		assertThat(plan.reasons()).singleElement().asString().contains("replica identity");
	}

	@Test
	void shouldFlushWhenAnImageLacksATemplateColumn() {
		InvalidationPlan plan = this.rules.planFor(event(Operation.DELETE, "formulary_item", Map.of("id", 5), null));

		assertThat(plan.flushes()).containsExactly(Namespace.FORMULARY);
	}

	@Test
	void shouldNameNoKeyForANullColumn() {
		Map<String, Object> after = patient(9, "ward-a", 2);
		after.put("ward", null);

		assertThat(keysFor(event(Operation.CREATE, "patient", null, after))).containsExactly("fl:patient:{9}");
	}

	@Test
	void shouldRefuseTablesWithoutARule() {
		assertThatThrownBy(() -> this.rules.planFor(event(Operation.CREATE, "audit", null, Map.of("id", 1))))
			.isInstanceOf(UnmappableChangeEventException.class)
			.hasMessageContaining("audit");
	}

	@Test
	void shouldRefuseIdsThatAreNotCanonical() {
		assertThatThrownBy(() -> this.rules.planFor(event(Operation.CREATE, "patient", null, patient(9, "a:b*", 1))))
			.isInstanceOf(InvalidIdException.class);
	}

	@Test
	void shouldBuildTheSameKeyFromARequestAsFromAChange() {
		assertThat(this.rules.keyFor(Namespace.PATIENT, " 009 ")).isEqualTo("fl:patient:{9}");
		assertThat(this.rules.keyFor(Namespace.WARD, "ward-a")).isEqualTo("fl:ward:{ward-a}");
	}

	@Test
	void shouldRegisterFormularyEntriesUnderTheirHospitalTag() {
		assertThat(this.rules.tagIndexesOf(Namespace.FORMULARY, "7")).containsExactly("fl:tag:{hospital:7}");
		assertThat(this.rules.tagIndexesOf(Namespace.PATIENT, "7")).isEmpty();
	}

	private List<String> keysFor(ChangeEvent event) {
		return this.rules.planFor(event).invalidations().stream().map(Invalidation::key).toList();
	}

	static Map<String, Object> patient(long id, String ward, long version) {
		Map<String, Object> row = new HashMap<>();
		row.put("id", id);
		row.put("ward", ward);
		row.put("version", version);
		return row;
	}

	static ChangeEvent event(Operation operation, String table, @Nullable Map<String, Object> before,
			@Nullable Map<String, Object> after) {
		return new ChangeEvent(operation, table, before, after, 0, 0);
	}
}
