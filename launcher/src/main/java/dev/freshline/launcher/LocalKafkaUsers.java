package dev.freshline.launcher;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

import org.apache.kafka.common.acl.AclBinding;

import dev.freshline.embedded.KafkaGrants;
import dev.freshline.embedded.KafkaUser;
import dev.freshline.embedded.KafkaUsers;
import dev.freshline.embedded.ServiceEnvironment;
import dev.freshline.model.RuleSet;
import dev.freshline.model.Topics;

/**
 * The local stack's Kafka principals, one per component, with random passwords per run: the
 * launcher creates them, hands the broker process all of them and each service its own through
 * environment variables (never arguments: {@code ps} shows those), and writes them to
 * {@code local-stack.json} for ops and the harness. The ACLs are written for the topic prefix, group
 * and rules the services will use: the broker process inherits the launcher's environment, as the
 * services do, so a FRESHLINE_TOPIC_PREFIX exported before {@code scripts/run-local} moves both.
 */
final class LocalKafkaUsers {

	static final String BROKER = "broker";

	static final String CONNECTOR = "connector";

	static final String INVALIDATOR = "invalidator";

	static final String OPS = "ops";

	/** bench and chaos scenarios: poison records, retention gaps, offsets; local stacks only. */
	static final String HARNESS = "harness";

	private static final List<String> NAMES = List.of(BROKER, CONNECTOR, INVALIDATOR, OPS, HARNESS);

	/** The environment variable that carries a user's password to the broker process. */
	private static final String PASSWORD_VARIABLE = "FRESHLINE_KAFKA_PASSWORD_";

	/** The services' defaults (their yml), unless the environment names others. */
	private static final String TOPIC_PREFIX = "freshline";

	private static final String INVALIDATOR_GROUP = "freshline-invalidator";

	/** ops dlt redrive's default group (DltRedriveCommand). */
	private static final String REDRIVE_GROUP = "freshline-ops-dlt-redrive";

	private final Map<String, KafkaUser> users;

	private LocalKafkaUsers(Map<String, KafkaUser> users) {
		this.users = users;
	}

	/** New users with random passwords. */
	static LocalKafkaUsers random() {
		Map<String, KafkaUser> users = new LinkedHashMap<>();
		for (String name : NAMES) {
			users.put(name, new KafkaUser("freshline-" + name, Passwords.random()));
		}
		return new LocalKafkaUsers(users);
	}

	/** The users {@link #brokerEnvironment()} handed to the broker process. */
	static LocalKafkaUsers fromEnvironment(Map<String, String> environment) {
		Map<String, KafkaUser> users = new LinkedHashMap<>();
		for (String name : NAMES) {
			String password = environment.get(PASSWORD_VARIABLE + name.toUpperCase(Locale.ROOT));
			if (password == null) {
				throw new IllegalStateException("no password for Kafka user " + name + " in the environment");
			}
			users.put(name, new KafkaUser("freshline-" + name, password));
		}
		return new LocalKafkaUsers(users);
	}

	Map<String, String> brokerEnvironment() {
		Map<String, String> environment = new LinkedHashMap<>();
		this.users.forEach((name, user) -> environment.put(PASSWORD_VARIABLE + name.toUpperCase(Locale.ROOT),
				user.password()));
		return environment;
	}

	KafkaUser get(String name) {
		return this.users.get(name);
	}

	/** The clients' users, as {@code local-stack.json} lists them (the broker's own stays with the broker). */
	Map<String, KafkaUser> clients() {
		Map<String, KafkaUser> clients = new LinkedHashMap<>(this.users);
		clients.remove(BROKER);
		return clients;
	}

	/** What the broker starts with: every user, and each component's grants on the services' topics. */
	KafkaUsers brokerSpec(Map<String, String> environment) {
		Topics topics = new Topics(valueOf(environment, ServiceEnvironment.FRESHLINE_TOPIC_PREFIX, TOPIC_PREFIX));
		String group = valueOf(environment, ServiceEnvironment.INVALIDATOR_GROUP_ID, INVALIDATOR_GROUP);
		List<String> changes = topics.allChanges(RuleSet.load(valueOf(environment, "FRESHLINE_RULES", RuleSet.DEFAULT_LOCATION)));
		List<String> connectorTopics = Stream.concat(changes.stream(), Stream.of(topics.signals(), topics.heartbeat()))
			.distinct()
			.toList();
		List<String> invalidatorTopics = Stream.concat(changes.stream(), Stream.of(topics.heartbeat())).toList();
		List<AclBinding> acls = new ArrayList<>();
		acls.addAll(KafkaGrants.connector(get(CONNECTOR).user(), connectorTopics));
		acls.addAll(KafkaGrants.invalidator(get(INVALIDATOR).user(), invalidatorTopics, topics.deadLetter(), group));
		acls.addAll(KafkaGrants.ops(get(OPS).user(), changes, topics.deadLetter(), List.of(group, REDRIVE_GROUP)));
		List<String> all = new ArrayList<>(connectorTopics);
		all.add(topics.deadLetter());
		acls.addAll(KafkaGrants.harness(get(HARNESS).user(), all, List.of(group)));
		return new KafkaUsers(get(BROKER), new ArrayList<>(clients().values()), acls);
	}

	private static String valueOf(Map<String, String> environment, String name, String fallback) {
		String value = environment.get(name);
		return (value == null || value.isBlank()) ? fallback : value;
	}
}
