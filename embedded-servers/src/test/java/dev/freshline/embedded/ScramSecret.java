package dev.freshline.embedded;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;

/** Checks a password against a Postgres SCRAM-SHA-256 secret (RFC 5802), for ASCII passwords. */
final class ScramSecret {

	private ScramSecret() {
	}

	static boolean matches(String secret, String password) throws Exception {
		// SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>
		String[] parts = secret.split("[$:]");
		int iterations = Integer.parseInt(parts[1]);
		byte[] salt = Base64.getDecoder().decode(parts[2]);
		byte[] storedKey = Base64.getDecoder().decode(parts[3]);

		byte[] salted = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256")
				.generateSecret(new PBEKeySpec(password.toCharArray(), salt, iterations, 256))
				.getEncoded();
		Mac hmac = Mac.getInstance("HmacSHA256");
		hmac.init(new SecretKeySpec(salted, "HmacSHA256"));
		byte[] clientKey = hmac.doFinal("Client Key".getBytes(StandardCharsets.US_ASCII));
		return MessageDigest.isEqual(MessageDigest.getInstance("SHA-256").digest(clientKey), storedKey);
	}
}
