package dev.freshline.launcher;

import java.security.SecureRandom;
import java.util.HexFormat;

/** The run's random passwords: Postgres roles, Redis users and Kafka principals alike. */
final class Passwords {

	private static final SecureRandom RANDOM = new SecureRandom();

	private Passwords() {
	}

	/** 144 random bits as 36 hex digits: no character a shell, a URI or an ACL rule would read. */
	static String random() {
		byte[] bytes = new byte[18];
		RANDOM.nextBytes(bytes);
		return HexFormat.of().formatHex(bytes);
	}
}
