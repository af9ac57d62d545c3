package dev.freshline.embedded;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * What each Freshline component may do on Kafka, as ACLs on literal topic and group names, so a
 * component can touch only the topics it was built for (a new table's topic needs its grants:
 * docs/ops-runbook.md). Topic names come from the caller, which knows the rule set and the prefix.
 * {@code CREATE} goes with topics a component declares as {@code NewTopic}s (spring-kafka's
 * {@code KafkaAdmin} creates the missing ones at start), {@code DESCRIBE} with every topic it uses
 * (metadata, {@code partitionsFor}, offsets).
 */
public final class KafkaGrants {

	private KafkaGrants() {
	}

	/**
	 * The connector writes (idempotently: Kafka 3+ asks for {@code WRITE} on a topic, not
	 * {@code IDEMPOTENT_WRITE} on the cluster) the change topics, with their markers, the signal
	 * table's topic and the heartbeats, and declares them all. It reads nothing.
	 */
	public static List<AclBinding> connector(String user, Collection<String> writtenTopics) {
		return topics(user, writtenTopics, AclOperation.WRITE, AclOperation.DESCRIBE, AclOperation.CREATE);
	}

	/**
	 * The invalidator reads the change topics and heartbeats (and declares them, so its group can
	 * subscribe before the connector's first start), commits in its own group, and writes and
	 * declares the dead-letter topic. It may not write a change topic.
	 */
	public static List<AclBinding> invalidator(String user, Collection<String> readTopics, String deadLetterTopic,
			String group) {
		List<AclBinding> acls = new ArrayList<>(
				topics(user, readTopics, AclOperation.READ, AclOperation.DESCRIBE, AclOperation.CREATE));
		acls.addAll(topics(user, List.of(deadLetterTopic), AclOperation.WRITE, AclOperation.DESCRIBE, AclOperation.CREATE));
		acls.addAll(group(user, group));
		return acls;
	}

	/**
	 * The ops tool reads the change and dead-letter topics (replay, dlt list), and moves offsets of
	 * the invalidator's group and of its own redrive group ({@code AlterConsumerGroupOffsets} needs
	 * {@code READ} on the group and its topics). It writes to no topic: resnapshot signals go
	 * through Postgres, and a replay deletes keys in Redis.
	 */
	public static List<AclBinding> ops(String user, Collection<String> readTopics, String deadLetterTopic,
			Collection<String> groups) {
		List<String> all = new ArrayList<>(readTopics);
		all.add(deadLetterTopic);
		List<AclBinding> acls = new ArrayList<>(topics(user, all, AclOperation.READ, AclOperation.DESCRIBE));
		groups.forEach((group) -> acls.addAll(group(user, group)));
		return acls;
	}

	/**
	 * A local harness (bench, chaos, system tests) that injects faults: it writes poison records,
	 * deletes records to open a retention gap, and reads any group's offsets and its own groups.
	 * Local stacks only; a production cluster has no such user.
	 */
	public static List<AclBinding> harness(String user, Collection<String> topics, Collection<String> groups) {
		List<AclBinding> acls = new ArrayList<>(topics(user, topics, AclOperation.READ, AclOperation.WRITE,
				AclOperation.DESCRIBE, AclOperation.DELETE));
		groups.forEach((group) -> acls.addAll(group(user, group)));
		return acls;
	}

	private static List<AclBinding> topics(String user, Collection<String> names, AclOperation... operations) {
		List<AclBinding> acls = new ArrayList<>();
		for (String name : names) {
			for (AclOperation operation : operations) {
				acls.add(allow(user, new ResourcePattern(ResourceType.TOPIC, name, PatternType.LITERAL), operation));
			}
		}
		return acls;
	}

	/** {@code READ} joins, fetches offsets and commits; {@code DESCRIBE} lists and describes the group. */
	private static List<AclBinding> group(String user, String group) {
		ResourcePattern pattern = new ResourcePattern(ResourceType.GROUP, group, PatternType.LITERAL);
		return List.of(allow(user, pattern, AclOperation.READ), allow(user, pattern, AclOperation.DESCRIBE));
	}

	private static AclBinding allow(String user, ResourcePattern pattern, AclOperation operation) {
		return new AclBinding(pattern, new AccessControlEntry("User:" + user, "*", operation, AclPermissionType.ALLOW));
	}
}
