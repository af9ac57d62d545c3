package dev.freshline.model;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class IdTypeTests {

	@Test
	void shouldReadTheDeclaredTypes() {
		assertThat(IdType.parse("integer")).isEqualTo(IdType.INTEGER);
		assertThat(IdType.parse("uuid")).isEqualTo(IdType.UUID);
		assertThat(IdType.parse("text(32)")).isEqualTo(IdType.text(32));
		assertThatThrownBy(() -> IdType.parse("varchar")).hasMessageContaining("integer, uuid or text");
	}

	@Test
	void shouldGiveAUuidOneFormWhateverItsCaseAndSpaces() {
		String canonical = "1b4e28ba-2fa1-11d2-883f-0016d3cca427";

		assertThat(IdType.UUID.canonical(" 1B4E28BA-2FA1-11D2-883F-0016D3CCA427 ")).isEqualTo(canonical);
		assertThat(IdType.UUID.canonical((Object) canonical)).isEqualTo(canonical);
	}

	@Test
	void shouldGiveAnIntegerOneFormFromRequestsAndFromEvents() {
		assertThat(IdType.INTEGER.canonical(" 007")).isEqualTo("7");
		assertThat(IdType.INTEGER.canonical((Object) 7L)).isEqualTo("7");
		assertThat(IdType.INTEGER.canonical((Object) 7)).isEqualTo("7");
	}

	@ParameterizedTest
	@ValueSource(strings = { "a:b", "a*", "{a}", "a}", "a\nb", "a\n", "\ta", "a b", "", "   ", "abcdefghi" })
	void shouldRefuseTextThatCouldCarryKeySyntaxOrExceedTheColumn(String raw) {
		assertThatThrownBy(() -> IdType.text(8).canonical(raw)).isInstanceOf(InvalidIdException.class);
	}

	@ParameterizedTest
	@ValueSource(strings = { "1b4e28ba2fa111d2883f0016d3cca427", "1b4e28ba-2fa1-11d2-883f-0016d3cca42", "{1b4e28ba-2fa1-11d2-883f-0016d3cca427}" })
	void shouldRefuseMalformedUuids(String raw) {
		assertThatThrownBy(() -> IdType.UUID.canonical(raw)).isInstanceOf(InvalidIdException.class);
	}

	@Test
	void shouldRefuseEventValuesOfTheWrongType() {
		assertThatThrownBy(() -> IdType.INTEGER.canonical((Object) 1.5)).isInstanceOf(InvalidIdException.class);
		assertThatThrownBy(() -> IdType.INTEGER.canonical((Object) 0L)).isInstanceOf(InvalidIdException.class);
	}
}
