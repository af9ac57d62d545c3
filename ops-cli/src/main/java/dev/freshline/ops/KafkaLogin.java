package dev.freshline.ops;

import java.util.Map;
import java.util.Properties;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * The ops tool's Kafka principal, for a broker that requires SASL: KAFKA_USER and KAFKA_PASSWORD
 * (with KAFKA_SASL_MECHANISM, SCRAM-SHA-512 by default), else the local stack's {@code ops} user
 * from its endpoints file. Never a flag: {@code ps} shows those. {@link #toString()} leaves the
 * password out.
 */
public record KafkaLogin(String user, String password, String mechanism) {

	static final String DEFAULT_MECHANISM = "SCRAM-SHA-512";

	/** The login found in the environment or the stack file, or null: the broker is an open one. */
	static @Nullable KafkaLogin resolve(Map<String, String> env, @Nullable JsonNode stack) {
		String user = env.get("KAFKA_USER");
		if (user != null && !user.isBlank()) {
			return new KafkaLogin(user, env.getOrDefault("KAFKA_PASSWORD", ""),
					env.getOrDefault("KAFKA_SASL_MECHANISM", DEFAULT_MECHANISM));
		}
		if (stack == null) {
			return null;
		}
		JsonNode ops = stack.path("kafka").path("users").path("ops");
		if (ops.isMissingNode() || ops.path("user").asString("").isBlank()) {
			return null;
		}
		return new KafkaLogin(ops.path("user").asString(), ops.path("password").asString(""),
				stack.path("kafka").path("saslMechanism").asString(DEFAULT_MECHANISM));
	}

	/** Adds the SASL settings to a client's configuration. */
	void configure(Properties properties) {
		String module = this.mechanism.startsWith("SCRAM") ? "org.apache.kafka.common.security.scram.ScramLoginModule"
				: "org.apache.kafka.common.security.plain.PlainLoginModule";
		properties.put("security.protocol", "SASL_PLAINTEXT");
		properties.put("sasl.mechanism", this.mechanism);
		properties.put("sasl.jaas.config",
				module + " required username=\"" + this.user + "\" password=\"" + this.password + "\";");
	}

	@Override
	public String toString() {
		return "KafkaLogin[" + this.user + ", " + this.mechanism + "]";
	}
}
