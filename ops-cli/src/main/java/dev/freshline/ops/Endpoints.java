package dev.freshline.ops;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

import org.jspecify.annotations.Nullable;

import dev.freshline.model.CacheKeys;
import dev.freshline.model.InvalidationRules;
import dev.freshline.model.Namespace;
import dev.freshline.model.RuleSet;
import dev.freshline.model.RulesException;
import dev.freshline.model.Topics;

/**
 * The resolved endpoints and prefixes of one run, and where they came from. Redis is one server
 * ({@code redisHost}, {@code redisPort}) unless {@code redisClusterNodes} names a Redis Cluster's
 * seed nodes ({@code host:port,...}).
 */
public record Endpoints(String bootstrapServers, String redisHost, int redisPort, @Nullable String redisUser,
		@Nullable String redisPassword,
		String topicPrefix, String keyPrefix, String rulesLocation, String source, @Nullable String redisClusterNodes) {

	/** A single Redis. */
	public Endpoints(String bootstrapServers, String redisHost, int redisPort, @Nullable String redisUser,
			@Nullable String redisPassword, String topicPrefix, String keyPrefix, String rulesLocation, String source) {
		this(bootstrapServers, redisHost, redisPort, redisUser, redisPassword, topicPrefix, keyPrefix, rulesLocation, source,
				null);
	}

	/** The cluster's seed nodes, when Redis is a cluster. */
	public List<String> redisClusterSeeds() {
		if (this.redisClusterNodes == null) {
			return List.of();
		}
		return Arrays.stream(this.redisClusterNodes.split(",")).map(String::strip).filter((node) -> !node.isEmpty()).toList();
	}

	public Topics topics() {
		try {
			return new Topics(this.topicPrefix);
		}
		catch (IllegalArgumentException ex) {
			throw new OpsException(ex.getMessage());
		}
	}

	public CacheKeys keys() {
		try {
			return new CacheKeys(this.keyPrefix);
		}
		catch (IllegalArgumentException ex) {
			throw new OpsException(ex.getMessage());
		}
	}

	public RuleSet rules() {
		try {
			return RuleSet.load(this.rulesLocation);
		}
		catch (RulesException ex) {
			throw new OpsException(ex.getMessage());
		}
	}

	/**
	 * The namespace of the rules called {@code name}; refuses any other, so a typo is not a
	 * command that finds nothing and reports success, and no free text reaches a key pattern.
	 */
	public Namespace namespace(String name) {
		RuleSet rules = rules();
		return rules.namespaces()
			.keySet()
			.stream()
			.filter((namespace) -> namespace.id().equals(name))
			.findFirst()
			.orElseThrow(() -> new OpsException("unknown namespace '" + name + "': the rules declare "
					+ rules.namespaces().keySet().stream().map(Namespace::id).sorted().collect(Collectors.joining(", "))));
	}

	public InvalidationRules invalidationRules() {
		return new InvalidationRules(rules(), keys());
	}

	/** Leaves the password out, as {@link #describe()} does. */
	@Override
	public String toString() {
		return "Endpoints[" + describe() + "]";
	}

	/** One line for the operator, so a run against the wrong stack is noticed; no password. */
	public String describe() {
		String redis = (this.redisClusterNodes != null) ? "Redis Cluster " + String.join(",", redisClusterSeeds())
				: "Redis " + this.redisHost + ":" + this.redisPort;
		return "Kafka " + this.bootstrapServers + ", " + redis
				+ ((this.redisUser != null) ? " as " + this.redisUser : "") + ", topics "
				+ this.topicPrefix + ".*, keys " + this.keyPrefix + ":* (from " + this.source + ")";
	}
}
