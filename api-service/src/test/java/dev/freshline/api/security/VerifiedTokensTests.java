package dev.freshline.api.security;

import java.nio.file.Files;
import java.security.KeyFactory;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtException;
import org.springframework.security.oauth2.jwt.JwtTimestampValidator;
import org.springframework.security.oauth2.jwt.JwtValidationException;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;

import dev.freshline.embedded.LocalIssuer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Against Spring's own decoder with the test issuer's public key, on a clock the test moves: what
 * the cache lets through is exactly what that decoder would, only verified fewer times.
 */
class VerifiedTokensTests {

	private static final LocalIssuer issuer = LocalIssuer.forTests();

	private final MovableClock clock = new MovableClock(Instant.now());

	private final AtomicInteger verifications = new AtomicInteger();

	private VerifiedTokens tokens;

	@BeforeEach
	void decoder() throws Exception {
		NimbusJwtDecoder nimbus = NimbusJwtDecoder.withPublicKey(testPublicKey()).build();
		JwtTimestampValidator timestamps = new JwtTimestampValidator();
		timestamps.setClock(this.clock);
		nimbus.setJwtValidator(timestamps);
		JwtDecoder counting = (token) -> {
			this.verifications.incrementAndGet();
			return nimbus.decode(token);
		};
		this.tokens = new VerifiedTokens(counting, this.clock);
	}

	@Test
	void shouldVerifyATokenOnceAndServeItsClaimsAfterwards() {
		String reader = issuer.readerToken();

		Jwt first = this.tokens.decode(reader);
		Jwt again = this.tokens.decode(reader);

		assertThat(this.verifications).hasValue(1);
		assertThat(again.getClaimAsString("scope")).isEqualTo(first.getClaimAsString("scope")).contains("patients.read");
	}

	@Test
	void shouldVerifyAForgedTokenEveryTimeAndRefuseIt() {
		String forged = LocalIssuer.generate().adminToken();

		assertThatExceptionOfType(JwtException.class).isThrownBy(() -> this.tokens.decode(forged));
		assertThatExceptionOfType(JwtException.class).isThrownBy(() -> this.tokens.decode(forged));
		assertThat(this.verifications).hasValue(2);
	}

	@Test
	void shouldRefuseATokenWithAnAlteredByteAlthoughTheOriginalIsRemembered() {
		String admin = issuer.adminToken();
		this.tokens.decode(admin);
		// the same header and claims, one character of the signature changed
		int last = admin.length() - 2;
		String altered = admin.substring(0, last) + ((admin.charAt(last) == 'A') ? 'B' : 'A') + admin.substring(last + 1);

		assertThatExceptionOfType(JwtException.class).isThrownBy(() -> this.tokens.decode(altered));
	}

	@Test
	void shouldRefuseARememberedTokenOnceItExpired() {
		String shortLived = issuer.mint("short", this.clock.instant().plus(Duration.ofMinutes(2)), LocalIssuer.READER_SCOPES);
		this.tokens.decode(shortLived);

		// past its expiry and the 60 s of clock skew both validators allow, within REVERIFY_AFTER
		this.clock.advance(Duration.ofMinutes(3).plusSeconds(30));

		assertThatExceptionOfType(JwtValidationException.class).isThrownBy(() -> this.tokens.decode(shortLived))
			.withMessageContaining("expired");
	}

	@Test
	void shouldVerifyARememberedTokenAgainAfterTheJwkSetCacheTime() {
		String reader = issuer.readerToken();
		this.tokens.decode(reader);

		this.clock.advance(VerifiedTokens.REVERIFY_AFTER.minusSeconds(1));
		this.tokens.decode(reader);
		assertThat(this.verifications).hasValue(1);

		this.clock.advance(Duration.ofSeconds(2));
		this.tokens.decode(reader);
		assertThat(this.verifications).hasValue(2);
	}

	private static RSAPublicKey testPublicKey() throws Exception {
		String pem = Files.readString(LocalIssuer.testPublicKey()).replaceAll("-----[A-Z ]+-----|\\s", "");
		return (RSAPublicKey) KeyFactory.getInstance("RSA")
			.generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(pem)));
	}

	private static final class MovableClock extends Clock {

		private volatile Instant now;

		MovableClock(Instant now) {
			this.now = now;
		}

		void advance(Duration duration) {
			this.now = this.now.plus(duration);
		}

		@Override
		public Instant instant() {
			return this.now;
		}

		@Override
		public ZoneId getZone() {
			return ZoneOffset.UTC;
		}

		@Override
		public Clock withZone(ZoneId zone) {
			return this;
		}
	}
}
