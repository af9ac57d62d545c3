package dev.freshline.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.UUID;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

import dev.freshline.model.Scopes;

/**
 * The local stand-in for an OAuth2 authorisation server: an RSA key pair made for one run (of the
 * launcher, or of a test JVM). The API instances get only the public half, as a PEM file named by
 * {@code spring.security.oauth2.resourceserver.jwt.public-key-location}; the private half never
 * leaves this object, which mints the tokens a local client presents.
 */
public final class LocalIssuer {

	/** The {@code iss} of every token minted here. */
	public static final String ISSUER = "freshline-local";

	/** What the walkthrough reads with: both read scopes, no writes. */
	public static final List<String> READER_SCOPES = List.of(Scopes.PATIENTS_READ, Scopes.FORMULARY_READ);

	/** Writes, flushes and the actuator, and the read scopes so one token can try everything. */
	public static final List<String> ADMIN_SCOPES = List.of(Scopes.ADMIN, Scopes.PATIENTS_READ, Scopes.FORMULARY_READ);

	/** How long the run's reader and admin tokens live: a working day and then some. */
	public static final Duration LOCAL_TOKEN_LIFETIME = Duration.ofDays(1);

	private static final int KEY_SIZE = 2048;

	private final RSAPublicKey publicKey;

	private final RSAPrivateKey privateKey;

	private final String keyId = UUID.randomUUID().toString();

	private LocalIssuer(KeyPair keys) {
		this.publicKey = (RSAPublicKey) keys.getPublic();
		this.privateKey = (RSAPrivateKey) keys.getPrivate();
	}

	/** A new RSA 2048 key pair; takes tens of milliseconds. */
	public static LocalIssuer generate() {
		try {
			KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
			generator.initialize(KEY_SIZE);
			return new LocalIssuer(generator.generateKeyPair());
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("this JVM cannot make RSA keys", ex);
		}
	}

	/**
	 * One issuer per test JVM, its public key in a file deleted on exit: every API a test starts
	 * with {@link ServiceEnvironment#publicKey(Path)} trusts the tokens the others mint from it.
	 */
	public static LocalIssuer forTests() {
		return ForTests.ISSUER;
	}

	/** Where {@link #forTests()}' public key is. */
	public static Path testPublicKey() {
		return ForTests.PUBLIC_KEY;
	}

	/** Writes the public key as a PEM ({@code BEGIN PUBLIC KEY}, X.509) file, which is all a verifier needs. */
	public Path writePublicKey(Path file) throws IOException {
		String base64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
			.encodeToString(this.publicKey.getEncoded());
		Files.writeString(file, "-----BEGIN PUBLIC KEY-----\n" + base64 + "\n-----END PUBLIC KEY-----\n");
		return file;
	}

	/** A token with {@link #READER_SCOPES}, valid for {@link #LOCAL_TOKEN_LIFETIME}. */
	public String readerToken() {
		return mint("local-reader", Instant.now().plus(LOCAL_TOKEN_LIFETIME), READER_SCOPES);
	}

	/** A token with {@link #ADMIN_SCOPES}, valid for {@link #LOCAL_TOKEN_LIFETIME}. */
	public String adminToken() {
		return mint("local-admin", Instant.now().plus(LOCAL_TOKEN_LIFETIME), ADMIN_SCOPES);
	}

	/**
	 * A signed JWT for {@code subject} with {@code scopes} (the space-separated {@code scope} claim
	 * Spring Security maps to {@code SCOPE_} authorities), expiring at {@code expiresAt}; one in
	 * the past mints an expired token.
	 */
	public String mint(String subject, Instant expiresAt, List<String> scopes) {
		Instant issuedAt = Instant.now().isAfter(expiresAt) ? expiresAt.minus(Duration.ofMinutes(5)) : Instant.now();
		JWTClaimsSet claims = new JWTClaimsSet.Builder().issuer(ISSUER)
			.subject(subject)
			.issueTime(Date.from(issuedAt))
			.expirationTime(Date.from(expiresAt))
			.jwtID(UUID.randomUUID().toString())
			.claim("scope", String.join(" ", scopes))
			.build();
		SignedJWT jwt = new SignedJWT(
				new JWSHeader.Builder(JWSAlgorithm.RS256).type(JOSEObjectType.JWT).keyID(this.keyId).build(), claims);
		try {
			jwt.sign(new RSASSASigner(this.privateKey));
		}
		catch (JOSEException ex) {
			throw new IllegalStateException("signing a local token failed", ex);
		}
		return jwt.serialize();
	}

	/** Created on first use, so JVMs that never start an API pay nothing. */
	private static final class ForTests {

		private static final LocalIssuer ISSUER = generate();

		private static final Path PUBLIC_KEY = writeOnce();

		private static Path writeOnce() {
			try {
				Path file = Files.createTempFile("freshline-test-jwt-", ".pem");
				file.toFile().deleteOnExit();
				return ISSUER.writePublicKey(file);
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		}
	}
}
