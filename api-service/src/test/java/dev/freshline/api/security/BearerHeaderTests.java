package dev.freshline.api.security;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.server.resource.web.DefaultBearerTokenResolver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link BearerHeader} answers every Authorization header as Spring Security's default resolver does. */
class BearerHeaderTests {

	private final DefaultBearerTokenResolver spring = new DefaultBearerTokenResolver();

	private final BearerHeader ours = new BearerHeader();

	@Test
	void resolvesEveryHeaderAsTheDefaultResolverDoes() {
		int refused = 0;
		int resolved = 0;
		for (String header : headers()) {
			MockHttpServletRequest request = new MockHttpServletRequest("GET", "/patients/42");
			if (header != null) {
				request.addHeader("Authorization", header);
			}
			String expected;
			try {
				expected = this.spring.resolve(request);
			}
			catch (OAuth2AuthenticationException ex) {
				refused++;
				assertThatThrownBy(() -> this.ours.resolve(request)).as("header %s", header)
					.isInstanceOfSatisfying(OAuth2AuthenticationException.class, (ours) -> {
						assertThat(ours.getError().getErrorCode()).isEqualTo(ex.getError().getErrorCode());
						assertThat(ours.getError().getDescription()).isEqualTo(ex.getError().getDescription());
					});
				continue;
			}
			if (expected != null) {
				resolved++;
			}
			assertThat(this.ours.resolve(request)).as("header %s", header).isEqualTo(expected);
		}
		// both outcomes must occur in the corpus, or agreeing would prove nothing
		assertThat(refused).isPositive();
		assertThat(resolved).isPositive();
	}

	@Test
	void aMalformedBearerTokenIsRefusedNotIgnored() {
		MockHttpServletRequest request = new MockHttpServletRequest("GET", "/patients/42");
		request.addHeader("Authorization", "Bearer not a token");
		assertThatThrownBy(() -> this.ours.resolve(request)).isInstanceOf(OAuth2AuthenticationException.class)
			.hasMessageContaining("malformed");
	}

	private static List<String> headers() {
		List<String> headers = new ArrayList<>();
		headers.add(null);
		headers.addAll(List.of("", "Bearer", "Bearer ", "bearer abc", "BEARER abc", "BeArEr abc.def-ghi_jkl~m+n/o==",
				"Bearer abc=", "Bearer ==", "Bearer =abc", "Bearer a=b", "Bearer  abc", "Bearer abc ", "Bearer\tabc",
				"Bearerabc", "Basic dXNlcjpwYXNz", "Bearers abc", "Token abc", "bear", "Bearer ab\u00e9c", "Bearer abc\n"));
		String alphabet = "abcXYZ019-._~+/= \t\u00e9!";
		SplittableRandom random = new SplittableRandom(42);
		for (int i = 0; i < 5_000; i++) {
			StringBuilder token = new StringBuilder();
			int length = random.nextInt(0, 12);
			for (int j = 0; j < length; j++) {
				token.append(alphabet.charAt(random.nextInt(alphabet.length())));
			}
			String scheme = switch (random.nextInt(4)) {
				case 0 -> "Bearer ";
				case 1 -> "bearer ";
				case 2 -> "Bearer";
				default -> "BEARER  ";
			};
			headers.add(scheme + token);
		}
		return headers;
	}
}
