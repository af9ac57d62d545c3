package dev.freshline.embedded;

import java.util.Map;
import java.util.regex.Pattern;

import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.common.config.SaslConfigs;

/**
 * One Kafka principal's SCRAM credentials, and the client settings that log in with them. Names and
 * passwords are restricted to characters that need no quoting in a JAAS line or in the
 * formatter's {@code name=...,password=...} arguments, so no escaping can go wrong; {@link #toString()}
 * leaves the password out, so a logged user never leaks it.
 */
public record KafkaUser(String user, String password) {

	/** The broker's client listener mechanism: KRaft keeps SCRAM credentials in its metadata log. */
	public static final String MECHANISM = "SCRAM-SHA-512";

	/** SASL without TLS: the local broker listens on loopback only (compose: see docker-compose.yml). */
	public static final String SECURITY_PROTOCOL = "SASL_PLAINTEXT";

	private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9_.-]+");

	public KafkaUser {
		if (!SAFE.matcher(user).matches()) {
			throw new IllegalArgumentException("Kafka user names may hold only letters, digits, '_', '.', '-': " + user);
		}
		if (password.length() < 8 || !SAFE.matcher(password).matches()) {
			// the password itself is never part of the message
			throw new IllegalArgumentException("The password of Kafka user " + user
					+ " needs 8 or more of letters, digits, '_', '.', '-'");
		}
	}

	/** {@code sasl.jaas.config} for a client (or the broker's inter-broker side) logging in as this user. */
	public String jaasConfig() {
		return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + this.user
				+ "\" password=\"" + this.password + "\";";
	}

	/** What a producer, consumer or admin client adds to its configuration to log in as this user. */
	public Map<String, Object> clientProperties() {
		return Map.of(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, SECURITY_PROTOCOL, SaslConfigs.SASL_MECHANISM,
				MECHANISM, SaslConfigs.SASL_JAAS_CONFIG, jaasConfig());
	}

	/** The formatter's argument that creates this user's credential with the cluster ({@code kafka-storage format --add-scram}). */
	String scramArgument() {
		return MECHANISM + "=[name=" + this.user + ",password=" + this.password + "]";
	}

	@Override
	public String toString() {
		return "KafkaUser[" + this.user + "]";
	}
}
