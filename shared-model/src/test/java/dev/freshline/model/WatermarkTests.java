package dev.freshline.model;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The watermark's two forms: Postgres' LSN text and the marker value, both read back exactly. */
class WatermarkTests {

	@Test
	void shouldReadAndWritePostgresLsnText() {
		assertThat(Watermark.parseLsn("16/B374D848")).isEqualTo(0x16_B374D848L);
		assertThat(Watermark.parseLsn("0/0")).isZero();
		assertThat(Watermark.parseLsn("0/16b3748")).isEqualTo(0x16B3748L);
		assertThat(Watermark.formatLsn(0x16_B374D848L)).isEqualTo("16/B374D848");
		assertThat(Watermark.formatLsn(Watermark.parseLsn("7FFFFFFF/FFFFFFFF"))).isEqualTo("7FFFFFFF/FFFFFFFF");
	}

	@ParameterizedTest
	@ValueSource(strings = { "", "16B374D848", "16/", "/1", "16/B374D848 ", "x/1", "123456789/0", "80000000/0",
			"1/2/3", "-1/0" })
	void shouldRefuseAnythingElseAsAnLsn(String text) {
		assertThatIllegalArgumentException().isThrownBy(() -> Watermark.parseLsn(text));
	}

	@Test
	void shouldReadBackTheMarkerItWrote() {
		Watermark watermark = new Watermark(Watermark.parseLsn("16/B374D848"), 1_764_441_600_123L);

		assertThat(watermark.encode()).isEqualTo("{\"lsn\":\"16/B374D848\",\"commitMillis\":1764441600123}");
		assertThat(Watermark.parse(watermark.encode())).isEqualTo(watermark);
	}

	@ParameterizedTest
	@ValueSource(strings = { "", "{}", "{\"lsn\":\"16/B374D848\"}", "{\"lsn\":\"zz/1\",\"commitMillis\":1}",
			"{\"before\":null,\"after\":{\"id\":1},\"op\":\"c\"}", "{\"lsn\":\"1/1\",\"commitMillis\":-1}" })
	void shouldRefuseAnythingElseAsAMarker(String value) {
		assertThatThrownBy(() -> Watermark.parse(value)).isInstanceOf(MalformedChangeEventException.class);
	}

	@Test
	void shouldCoverEveryCommitAtOrBeforeItsLsn() {
		Watermark watermark = new Watermark(100, 0);

		assertThat(watermark.covers(99)).isTrue();
		assertThat(watermark.covers(100)).isTrue();
		assertThat(watermark.covers(101)).isFalse();
	}

	@Test
	void shouldKeepWatermarksOutsideEveryNamespace() {
		CacheKeys keys = new CacheKeys("freshline");

		assertThat(keys.watermarks("patient")).isEqualTo("freshline:watermark:{patient}");
		assertThat(keys.watermarks("patient")).doesNotStartWith("freshline:patient:");
	}
}
