package dev.freshline.cache;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/** The stored value's layout, which the READ script parses by position. */
class CachedValueTests {

	@Test
	void shouldPrefixTheBodyWithTheDeadlineAsThirteenZeroPaddedDigits() {
		byte[] stored = CachedValue.wrap(42, "{}".getBytes(StandardCharsets.UTF_8));

		assertThat(new String(stored, StandardCharsets.US_ASCII)).isEqualTo("0000000000042{}");
		assertThat(CachedValue.HEADER_LENGTH).isEqualTo(13);
	}

	@Test
	void shouldGiveTheBodyBackWithoutItsHeader() {
		byte[] body = "{\"id\":1}".getBytes(StandardCharsets.UTF_8);

		assertThat(CachedValue.body(CachedValue.wrap(1_700_000_000_000L, body))).isEqualTo(body);
		assertThat(CachedValue.body(CachedValue.wrap(1_700_000_000_000L, new byte[0]))).as("a cached 'not found'").isEmpty();
	}

	@Test
	void shouldRefuseAValueShorterThanItsHeader() {
		assertThatIllegalArgumentException().isThrownBy(() -> CachedValue.body(new byte[12]));
	}
}
