package dev.freshline.bench;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class BulkUpdateTests {

	@Test
	void shouldTakeTheFirstDeleteOfEachKeyAfterTheUpdateWasSent() {
		// patient 1 was invalidated before the update (its insert) and twice after; 3 only after
		Map<String, List<Long>> seen = Map.of("k1", List.of(5L, 120L, 300L), "k2", List.of(150L), "k3", List.of(110L));

		BulkUpdate.Deletes deletes = BulkUpdate.deletes(seen, 1, 3, 100, (id) -> "k" + id);

		assertThat(deletes).isEqualTo(new BulkUpdate.Deletes(110, 150, 0));
	}

	@Test
	void shouldCountTheKeysWhoseDeleteNeverCame() {
		Map<String, List<Long>> seen = Map.of("k1", List.of(5L), "k2", List.of(150L));

		BulkUpdate.Deletes deletes = BulkUpdate.deletes(seen, 1, 3, 100, (id) -> "k" + id);

		assertThat(deletes.notSeen()).isEqualTo(2);
		assertThat(deletes.last()).isEqualTo(150);
	}
}
