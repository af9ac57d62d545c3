package dev.freshline.model;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class IdsTests {

	@Test
	void shouldParseLeadingZerosToTheCanonicalId() {
		assertThat(Ids.parse("007")).isEqualTo(7L);
		assertThat(Ids.parse("42")).isEqualTo(42L);
		assertThat(Ids.parse("  7 ")).as("surrounding spaces are not part of an id").isEqualTo(7L);
	}

	@ParameterizedTest
	@ValueSource(strings = { "", " ", "7 7", "\t7", "-7", "+7", "0", "000", "7a", "1:2", "*", "{7}", "7\n", "1e3",
			"9999999999999999999", "１２" })
	void shouldRejectAnythingButACanonicalPositiveNumber(String raw) {
		assertThatThrownBy(() -> Ids.parse(raw)).isInstanceOf(InvalidIdException.class);
	}
}
