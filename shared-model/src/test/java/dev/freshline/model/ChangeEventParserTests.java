package dev.freshline.model;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ChangeEventParserTests {

	private final ChangeEventParser parser = new ChangeEventParser();

	@Test
	void shouldReadDebeziumsEnvelope() {
		ChangeEvent event = parse("""
				{"before":{"id":5,"hospital_id":1},"after":{"id":5,"hospital_id":2},
				 "source":{"version":"3.6.1.Final","connector":"postgresql","table":"formulary_item","ts_ms":1700000000123,"lsn":2400},
				 "op":"u","ts_ms":1700000000150,"transaction":null}""");

		assertThat(event.operation()).isEqualTo(Operation.UPDATE);
		assertThat(event.table()).isEqualTo("formulary_item");
		assertThat(event.before()).containsEntry("hospital_id", 1);
		assertThat(event.after()).containsEntry("hospital_id", 2);
		assertThat(event.commitTimeMillis()).isEqualTo(1700000000123L);
		assertThat(event.lsn()).isEqualTo(2400);
	}

	@Test
	void shouldReadATruncateWithoutImages() {
		ChangeEvent event = parse("{\"before\":null,\"after\":null,\"source\":{\"table\":\"patient\"},\"op\":\"t\"}");

		assertThat(event.operation()).isEqualTo(Operation.TRUNCATE);
		assertThat(event.before()).isNull();
		assertThat(event.after()).isNull();
	}

	@Test
	void shouldRefuseWhatIsNotAnEnvelope() {
		assertThatThrownBy(() -> parse("{not json")).isInstanceOf(MalformedChangeEventException.class);
		assertThatThrownBy(() -> parse("[1,2]")).isInstanceOf(MalformedChangeEventException.class);
		assertThatThrownBy(() -> parse("{\"op\":\"u\"}")).isInstanceOf(MalformedChangeEventException.class);
		assertThatThrownBy(() -> parse("{\"op\":\"x\",\"source\":{\"table\":\"patient\"}}"))
			.isInstanceOf(MalformedChangeEventException.class);
	}

	private ChangeEvent parse(String json) {
		return this.parser.parse(json.getBytes(StandardCharsets.UTF_8));
	}
}
