package dev.freshline.cache;

import java.nio.charset.StandardCharsets;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

import dev.freshline.model.CacheKeys;
import dev.freshline.model.ChangeEventParser;
import dev.freshline.model.Invalidation;
import dev.freshline.model.InvalidationRules;
import dev.freshline.model.Namespace;
import dev.freshline.model.RuleSet;

import static org.assertj.core.api.Assertions.assertThat;

class ChangeBatchTests {

	private final InvalidationRules rules = new InvalidationRules(RuleSet.loadDefault(), new CacheKeys("t"));

	private final ChangeEventParser parser = new ChangeEventParser();

	@Test
	void shouldSendEachKeyOnceWithTheHighestFloorOfItsChanges() {
		ChangeBatch batch = new ChangeBatch(this.rules, this.parser);
		batch.add("patient", false, json(patientChange("u", 1, "ward-a", "ward-a", 9)), true);
		batch.add("patient", false, json(patientChange("u", 1, "ward-a", "ward-b", 4)), true);
		ChangeBatch other = new ChangeBatch(this.rules, this.parser);
		other.add("patient", false, json(patientChange("d", 2, "ward-b", null, 3)), true);
		batch.merge(other);

		assertThat(batch.invalidations()).containsExactlyInAnyOrder(new Invalidation("t:patient:{1}", 9),
				new Invalidation("t:patient:{2}", Invalidation.DELETED), new Invalidation("t:ward:{ward-a}", 0),
				new Invalidation("t:ward:{ward-b}", 0));
		assertThat(batch.flushes()).isEmpty();
	}

	@Test
	void shouldFlushTheTablesNamespacesInsteadOfSkippingAnUnreadableRecord() {
		ChangeBatch batch = new ChangeBatch(this.rules, this.parser);

		ChangeBatch.Outcome outcome = batch.add("patient", false, json("{\"op\":\"u\"}"), true);
		ChangeBatch.Outcome tombstone = batch.add("patient", false, null, true);

		assertThat(outcome.kind()).isEqualTo(ChangeBatch.Kind.FAILED);
		assertThat(outcome.error()).contains("lacks 'op' or 'source.table'");
		assertThat(tombstone.kind()).isEqualTo(ChangeBatch.Kind.TOMBSTONE);
		assertThat(batch.flushes()).containsExactlyInAnyOrder(Namespace.PATIENT, Namespace.WARD);
	}

	@Test
	void shouldOnlyReportAnUnreadableRecordWhenAskedNotToFlush() {
		ChangeBatch batch = new ChangeBatch(this.rules, this.parser);

		assertThat(batch.add("patient", false, json("{nope"), false).kind()).isEqualTo(ChangeBatch.Kind.FAILED);
		assertThat(batch.isEmpty()).isTrue();
	}

	@Test
	void shouldPlanAMarkerAsNothingWhateverItsValue() {
		ChangeBatch batch = new ChangeBatch(this.rules, this.parser);

		assertThat(batch.add("patient", true, json("{nope"), true).kind()).isEqualTo(ChangeBatch.Kind.MARKER);
		assertThat(batch.isEmpty()).isTrue();
	}

	/** A Debezium change of a patient as the connector publishes it (only the columns the rules read). */
	private static String patientChange(String op, long id, @Nullable String wardBefore, @Nullable String wardAfter,
			long version) {
		String before = (wardBefore != null)
				? "{\"id\":" + id + ",\"ward\":\"" + wardBefore + "\",\"version\":" + (version - 1) + "}" : "null";
		String after = (wardAfter != null) ? "{\"id\":" + id + ",\"ward\":\"" + wardAfter + "\",\"version\":" + version + "}"
				: "null";
		return "{\"before\":" + before + ",\"after\":" + after + ",\"source\":{\"table\":\"patient\",\"ts_ms\":1700000000000,"
				+ "\"lsn\":" + (1000 + id) + "},\"op\":\"" + op + "\"}";
	}

	private static byte[] json(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}
}
