package dev.freshline.launcher;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.apache.kafka.common.acl.AclBinding;

import dev.freshline.embedded.KafkaGrants;
import dev.freshline.embedded.KafkaUser;
import dev.freshline.embedded.KafkaUsers;
import dev.freshline.model.RuleSet;
import dev.freshline.model.Topics;

/**
 * The local stack's Kafka principals, one per component, with random passwords per run: the
 * launcher creates them, hands the broker process all of them and each service its own through
 * environment variables (never arguments: {@code ps} shows those), and writes them to
 * {@code local-stack.json} for ops and the harness. The ACLs are written for the services' default
 * topic prefix and group, which the launcher does not change.
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
		SecureRandom random = new SecureRandom();
		Map<String, KafkaUser> users = new LinkedHashMap<>();
		for (String name : NAMES) {
			byte[] bytes = new byte[18];
			random.nextBytes(bytes);
			users.put(name, new KafkaUser("freshline-" + name, HexFormat.of().formatHex(bytes)));
		}
		return new LocalKafkaUsers(users);
	}

	/** The users {@link #brokerEnvironment()} handed to the broker process. */
	static LocalKafkaUsers fromEnvironment(Map<String, String> environment) {
		Map<String, KafkaUser> users = new LinkedHashMap<>();
		for (String name : NAMES) {
			String password = environment.get(PASSWORD_VARIABLE + name.toUpperCase(java.util.Locale.ROOT));
			if (password == null) {
				throw new IllegalStateException("no password for Kafka user " + name + " in the environment");
			}
			users.put(name, new KafkaUser("freshline-" + name, password));
		}
		return new LocalKafkaUsers(users);
	}

	Map<String, String> brokerEnvironment() {
		Map<String, String> environment = new LinkedHashMap<>();
		this.users.forEach((name, user) -> environment.put(PASSWORD_VARIABLE + name.toUpperCase(java.util.Locale.ROOT),
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

	/** What the broker starts with: every user, and each component's grants on the default topics. */
	KafkaUsers brokerSpec() {
		Topics topics = new Topics(TOPIC_PREFIX);
		List<String> changes = topics.allChanges(RuleSet.loadDefault());
		List<String> connectorTopics = Stream.concat(changes.stream(), Stream.of(topics.signals(), topics.heartbeat()))
			.distinct()
			.toList();
		List<String> invalidatorTopics = Stream.concat(changes.stream(), Stream.of(topics.heartbeat())).toList();
		List<AclBinding> acls = new ArrayList<>();
		acls.addAll(KafkaGrants.connector(get(CONNECTOR).user(), connectorTopics));
		acls.addAll(KafkaGrants.invalidator(get(INVALIDATOR).user(), invalidatorTopics, topics.deadLetter(),
				INVALIDATOR_GROUP));
		acls.addAll(KafkaGrants.ops(get(OPS).user(), changes, topics.deadLetter(), List.of(INVALIDATOR_GROUP, REDRIVE_GROUP)));
		List<String> all = new ArrayList<>(connectorTopics);
		all.add(topics.deadLetter());
		acls.addAll(KafkaGrants.harness(get(HARNESS).user(), all, List.of(INVALIDATOR_GROUP)));
		return new KafkaUsers(get(BROKER), new ArrayList<>(clients().values()), acls);
	}
}
