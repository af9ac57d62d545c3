package dev.freshline.api.security;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import org.springframework.security.web.firewall.StrictHttpFirewall;

import static org.assertj.core.api.Assertions.assertThat;

/** The loops give the firewall's default regular expressions' answers, character class by class. */
class HeaderCharactersTests {

	@Test
	void namesAndValuesAreJudgedAsTheDefaultFirewallJudgesThem() {
		List<String> samples = samples();
		for (String sample : samples) {
			assertThat(HeaderCharacters.isAllowedName(sample)).as("name %s", escaped(sample))
				.isEqualTo(StrictHttpFirewall.ALLOWED_HEADER_NAMES.test(sample));
			assertThat(HeaderCharacters.isAllowedValue(sample)).as("value %s", escaped(sample))
				.isEqualTo(StrictHttpFirewall.ALLOWED_HEADER_VALUES.test(sample));
		}
		// the corpus must exercise both answers, or agreeing would prove nothing
		assertThat(samples).anyMatch((sample) -> !StrictHttpFirewall.ALLOWED_HEADER_VALUES.test(sample))
			.anyMatch(StrictHttpFirewall.ALLOWED_HEADER_VALUES::test)
			.anyMatch((sample) -> StrictHttpFirewall.ALLOWED_HEADER_VALUES.test(sample)
					&& !StrictHttpFirewall.ALLOWED_HEADER_NAMES.test(sample));
	}

	@Test
	void theFirewallRefusesAControlCharacterInAHeaderValue() {
		assertThat(HeaderCharacters.isAllowedValue("Bearer abc\u0000")).isFalse();
		assertThat(HeaderCharacters.isAllowedValue("Bearer abc\r\nX-Injected: 1")).isFalse();
		assertThat(HeaderCharacters.isAllowedValue("text/html,\tapplication/json")).isTrue();
		assertThat(HeaderCharacters.isAllowedName("X\tName")).isFalse();
	}

	private static List<String> samples() {
		List<String> samples = new ArrayList<>(List.of("", "Authorization", "Bearer eyJ.abc-_~+/=", "a\tb", "\t", "\u007f",
				"\u0085", "\u00a0", "caf\u00e9", "\ud83d\ude00", "\ud800", "x\udc00y", "\u0378", "\u2028", "\ufffe", "\u0001"));
		// every code point of the first planes, alone and inside ordinary text
		for (int codePoint = 0; codePoint < 0x3000; codePoint++) {
			String character = new String(Character.toChars(codePoint));
			samples.add(character);
			samples.add("Bearer " + character + "token");
		}
		SplittableRandom random = new SplittableRandom(20261130);
		for (int i = 0; i < 5_000; i++) {
			StringBuilder text = new StringBuilder();
			int length = random.nextInt(1, 40);
			for (int j = 0; j < length; j++) {
				int codePoint = random.nextBoolean() ? random.nextInt(0x20, 0x7f) : random.nextInt(0, 0x110000);
				if (codePoint < Character.MIN_SUPPLEMENTARY_CODE_POINT || random.nextInt(4) == 0) {
					text.appendCodePoint(codePoint);
				}
			}
			samples.add(text.toString());
		}
		return samples;
	}

	private static String escaped(String text) {
		StringBuilder escaped = new StringBuilder();
		text.codePoints().forEach((codePoint) -> escaped.append(String.format("\\u%04x", codePoint)));
		return escaped.toString();
	}
}
