package dev.freshline.ops;

import java.nio.charset.StandardCharsets;

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
		batch.add("patient", null, json(OpsFixture.patientChange("u", 1, "ward-a", "ward-a", 9)), true);
		batch.add("patient", null, json(OpsFixture.patientChange("u", 1, "ward-a", "ward-b", 4)), true);
		ChangeBatch other = new ChangeBatch(this.rules, this.parser);
		other.add("patient", null, json(OpsFixture.patientChange("d", 2, "ward-b", null, 3)), true);
		batch.merge(other);

		assertThat(batch.invalidations()).containsExactlyInAnyOrder(new Invalidation("t:patient:{1}", 9),
				new Invalidation("t:patient:{2}", Invalidation.DELETED), new Invalidation("t:ward:{ward-a}", 0),
				new Invalidation("t:ward:{ward-b}", 0));
		assertThat(batch.flushes()).isEmpty();
	}

	@Test
	void shouldFlushTheTablesNamespacesInsteadOfSkippingAnUnreadableRecord() {
		ChangeBatch batch = new ChangeBatch(this.rules, this.parser);

		ChangeBatch.Outcome outcome = batch.add("patient", null, json("{\"op\":\"u\"}"), true);
		ChangeBatch.Outcome tombstone = batch.add("patient", null, null, true);

		assertThat(outcome.kind()).isEqualTo(ChangeBatch.Kind.FAILED);
		assertThat(outcome.error()).contains("lacks 'op' or 'source.table'");
		assertThat(tombstone.kind()).isEqualTo(ChangeBatch.Kind.TOMBSTONE);
		assertThat(batch.flushes()).containsExactlyInAnyOrder(Namespace.PATIENT, Namespace.WARD);
	}

	@Test
	void shouldOnlyReportAnUnreadableRecordWhenAskedNotToFlush() {
		ChangeBatch batch = new ChangeBatch(this.rules, this.parser);

		assertThat(batch.add("patient", null, json("{nope"), false).kind()).isEqualTo(ChangeBatch.Kind.FAILED);
		assertThat(batch.isEmpty()).isTrue();
	}

	private static byte[] json(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}
}
