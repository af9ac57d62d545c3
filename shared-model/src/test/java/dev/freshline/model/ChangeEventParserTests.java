package dev.freshline.model;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.List;

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
	void shouldKeepOnlyTheColumnsTheRulesReadWhenBuiltForThem() {
		ChangeEventParser forRules = ChangeEventParser.forRules(RuleSet.loadDefault());

		ChangeEvent event = forRules.parse("""
				{"before":{"id":7,"ward":"ward-a","version":2,"note":{"nested":[1,2]},"big":123456789012345678901234567890},
				 "after":{"id":7,"ward":"ward-b","version":3,"updated_at":"2026-11-27T00:00:00Z"},
				 "source":{"table":"patient","ts_ms":1,"lsn":2},"op":"u"}""".getBytes(StandardCharsets.UTF_8));

		assertThat(event.before()).containsOnlyKeys("id", "ward", "version").containsEntry("id", 7);
		assertThat(event.after()).containsOnlyKeys("id", "ward", "version").containsEntry("ward", "ward-b");
	}

	@Test
	void shouldKeepNestedAndLargeValuesWhenKeepingEveryColumn() {
		ChangeEvent event = parse("""
				{"after":{"id":7,"tags":["a","b"],"big":123456789012345678901234567890,"ok":true,"ratio":0.5},
				 "source":{"table":"patient"},"op":"c"}""");

		assertThat(event.after()).containsEntry("tags", List.of("a", "b"))
			.containsEntry("big", new BigInteger("123456789012345678901234567890"))
			.containsEntry("ok", true)
			.containsEntry("ratio", 0.5);
		assertThat(event.before()).isNull();
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
		assertThatThrownBy(() -> parse("{\"op\":\"u\",\"after\":[1],\"source\":{\"table\":\"patient\"}}"))
			.isInstanceOf(MalformedChangeEventException.class);
		assertThatThrownBy(() -> parse("{\"op\":\"u\",\"source\":{\"table\":\"patient\"}")).as("truncated")
			.isInstanceOf(MalformedChangeEventException.class);
	}

	private ChangeEvent parse(String json) {
		return this.parser.parse(json.getBytes(StandardCharsets.UTF_8));
	}
}
