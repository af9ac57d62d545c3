package dev.freshline.model;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** What the writer writes, the parser reads back unchanged: the writer is the parser's inverse. */
class ChangeEventWriterTests {

	private final ChangeEventWriter writer = new ChangeEventWriter();

	private final ChangeEventParser parser = new ChangeEventParser();

	@Test
	void shouldWriteATruncateThatParsesBackToTheSameEvent() {
		ChangeEvent truncate = new ChangeEvent(Operation.TRUNCATE, "patient", null, null, 1700000000123L, 0);

		assertThat(roundTrip(truncate)).isEqualTo(truncate);
	}

	@Test
	void shouldWriteTheEnvelopeDebeziumWritesForATruncate() {
		ChangeEvent truncate = new ChangeEvent(Operation.TRUNCATE, "formulary_item", null, null, 42, 0);

		assertThat(this.writer.write(truncate))
			.isEqualTo("{\"before\":null,\"after\":null,\"source\":{\"table\":\"formulary_item\",\"ts_ms\":42},\"op\":\"t\"}");
	}

	@Test
	void shouldWriteBothImagesAndTheLogPositionOfAnUpdate() {
		Map<String, Object> before = new HashMap<>(Map.of("id", 7, "ward", "ward-a", "version", 2));
		before.put("discharged_at", null);
		Map<String, Object> after = Map.of("id", 7, "ward", "ward-b", "version", 3, "big", 12345678901L, "active", true);
		ChangeEvent update = new ChangeEvent(Operation.UPDATE, "patient", before, after, 1700000000123L, 2400);

		assertThat(roundTrip(update)).isEqualTo(update);
	}

	private ChangeEvent roundTrip(ChangeEvent event) {
		return this.parser.parse(this.writer.write(event).getBytes(StandardCharsets.UTF_8));
	}
}
