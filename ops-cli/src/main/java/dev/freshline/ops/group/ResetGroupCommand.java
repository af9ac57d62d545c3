package dev.freshline.ops.group;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import dev.freshline.model.Namespace;
import dev.freshline.model.RuleSet;
import dev.freshline.model.Topics;
import dev.freshline.ops.ChangeTopic;
import dev.freshline.ops.Clients;
import dev.freshline.ops.ConnectionOptions;
import dev.freshline.ops.Endpoints;
import dev.freshline.ops.NamespaceFlush;
import dev.freshline.ops.Ops;
import dev.freshline.ops.OpsException;
import dev.freshline.ops.Position;
import dev.freshline.ops.TextTable;
import dev.freshline.ops.TopicLog;

/**
 * Moves the live group, e.g. back to before an incident so the invalidator itself re-applies
 * what followed. Kafka accepts new offsets only for a group without members; checking first
 * gives a clear refusal instead of the broker's error, and the dry run shows the move first.
 * Moving forward past records the group has not applied would leave their keys stale with
 * nothing to say so: it is refused unless {@code --allow-skip}, which flushes the affected
 * tables' namespaces before the move and marks each skipped partition's commit
 * ({@code CommitMetadata}) so that the invalidator flushes again rather than trusting it.
 */
@Command(name = "reset-group", mixinStandardHelpOptions = true,
		description = { "Move the invalidator's consumer group to a time or an offset (dry run unless --execute).",
				"Refused while the group has active members: stop the invalidators first." })
public final class ResetGroupCommand implements Callable<Integer> {

	@Mixin
	ConnectionOptions connection;

	@Option(names = "--group", description = "The group (env INVALIDATOR_GROUP_ID; default freshline-invalidator)")
	@Nullable String group;

	@ArgGroup(exclusive = true, multiplicity = "0..1")
	@Nullable Source source;

	static final class Source {

		@Option(names = "--table", required = true, description = "Only this table's topic (default: every table of the rules)")
		@Nullable String table;

		@Option(names = "--topic", required = true, description = "Only this change topic")
		@Nullable String topic;
	}

	@ArgGroup(exclusive = true, multiplicity = "1")
	Target target;

	static final class Target {

		@Option(names = "--to-time", required = true, paramLabel = "TIME",
				description = "An ISO-8601 time with zone, or a duration ago (PT15M)")
		@Nullable String time;

		@Option(names = "--to-offset", required = true, paramLabel = "OFFSET",
				description = "An offset (every partition), earliest or latest")
		@Nullable String offset;
	}

	@Option(names = "--execute", description = "Apply the move (without it, only show it)")
	boolean execute;

	@Option(names = "--allow-skip",
			description = { "Allow moving partitions forward past records the group has not applied: their tables' "
					+ "namespaces are flushed first, and the skip is marked for the invalidator" })
	boolean allowSkip;

	@Mixin
	NamespaceFlush.Options flushOptions;

	@Override
	public Integer call() {
		Ops ops = this.connection.ops();
		Endpoints endpoints = this.connection.endpoints();
		String group = (this.group != null) ? this.group
				: ops.environment().getOrDefault("INVALIDATOR_GROUP_ID", "freshline-invalidator");
		RuleSet rules = endpoints.rules();
		Topics topics = endpoints.topics();
		String option = (this.target.time != null) ? "--to-time" : "--to-offset";
		Position position = (this.target.time != null)
				? new Position.Time(Position.parseTime("--to-time", this.target.time, ops.clock()))
				: Position.parseOffset("--to-offset", this.target.offset);
		try (Clients clients = this.connection.connect()) {
			PrintWriter out = this.connection.out();
			Admin admin = clients.admin();
			List<TopicLog> logs = logs(admin, topics, rules, endpoints, out);
			Map<TopicPartition, Long> after = new TreeMap<>(TopicLog.PARTITION_ORDER);
			for (TopicLog log : logs) {
				after.putAll(log.offsets(option, position, ops.clock()));
			}
			List<MemberDescription> members = members(admin, group);
			if (!members.isEmpty() && this.execute) {
				throw new OpsException("group " + group + " has " + members.size() + " active member(s) ("
						+ members.stream().map((m) -> m.clientId() + "@" + m.host()).sorted().collect(Collectors.joining(", "))
						+ "): stop the invalidators first; Kafka moves offsets only of an empty group");
			}
			Map<TopicPartition, Long> before = committed(admin, group);
			Skips skips = Skips.of(logs, before, after, topics, rules);
			out.println("Group " + group + ": moving " + after.size() + " partitions to " + position
					+ (this.execute ? "" : " (dry run)"));
			table(logs, before, after).print(out);
			NamespaceFlush flush = this.flushOptions.flush(this.connection, clients);
			if (!skips.isEmpty()) {
				out.println("Moving forward skips " + skips.describe() + ": records the group has not applied.");
				if (!this.allowSkip && this.execute) {
					throw new OpsException("moving group " + group + " forward skips " + skips.describe()
							+ " it has not applied, whose keys would stay stale; add --allow-skip to flush namespaces "
							+ skips.namespaceNames() + " first and mark the skip for the invalidator, or move it to an "
							+ "offset at or before its committed one");
				}
			}
			if (!this.execute) {
				if (!members.isEmpty()) {
					out.println("The group has " + members.size() + " active member(s): --execute will be refused until they stop.");
				}
				if (!skips.isEmpty() && !this.allowSkip) {
					out.println("--execute will be refused without --allow-skip.");
				}
				else if (!skips.isEmpty()) {
					for (Namespace namespace : skips.namespaces()) {
						out.println("--execute will first flush namespace " + namespace + ": "
								+ NamespaceFlush.number(flush.count(namespace)) + " keys matching " + flush.pattern(namespace));
					}
				}
				out.println("Dry run: nothing was changed. Add --execute to move the group.");
				return 0;
			}
			if (!skips.isEmpty()) {
				// before the move: once it is committed, nothing else would remove what the skipped records changed
				clients.ping();
				for (Namespace namespace : skips.namespaces()) {
					flush.flush(namespace);
				}
			}
			Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
			Map<String, String> topicIds = logs.stream().collect(Collectors.toMap(TopicLog::topic, TopicLog::topicId));
			after.forEach((partition, offset) -> offsets.put(partition,
					new OffsetAndMetadata(offset, skips.metadata(partition, topicIds.get(partition.topic())).encode())));
			await(admin.alterConsumerGroupOffsets(group, offsets).all(), "move group " + group);
			Map<TopicPartition, Long> now = committed(admin, group);
			out.println("Moved. Committed offsets of " + group + " now:");
			table(logs, before, now).print(out);
			return 0;
		}
	}

	private List<TopicLog> logs(Admin admin, Topics topics, RuleSet rules, Endpoints endpoints, PrintWriter out) {
		if (this.source != null) {
			ChangeTopic topic = ChangeTopic.of(this.source.table, this.source.topic, topics, rules, endpoints.rulesLocation());
			return List.of(TopicLog.read(admin, topic.topic()));
		}
		List<TopicLog> logs = new ArrayList<>();
		for (String topic : topics.allChanges(rules)) {
			try {
				logs.add(TopicLog.read(admin, topic));
			}
			catch (OpsException ex) {
				// a table whose topic the connector has not created yet has no offsets to move
				out.println("Skipping " + topic + ": " + ex.getMessage());
			}
		}
		if (logs.isEmpty()) {
			throw new OpsException("none of the change topics " + topics.allChanges(rules) + " exists");
		}
		return logs;
	}

	private static TextTable table(List<TopicLog> logs, Map<TopicPartition, Long> before, Map<TopicPartition, Long> after) {
		TextTable table = new TextTable("partition", "before", "after", "log start", "log end", "change");
		for (TopicLog log : logs) {
			for (TopicPartition partition : log.partitions()) {
				Long from = before.get(partition);
				Long to = after.get(partition);
				String change = (from == null || to == null) ? "new" : (to.equals(from)) ? "=" : String.format("%+d", to - from);
				table.row(partition, (from != null) ? from : "-", (to != null) ? to : "-", log.start(partition),
						log.end(partition), change);
			}
		}
		return table;
	}

	private static List<MemberDescription> members(Admin admin, String group) {
		try {
			ConsumerGroupDescription description = admin.describeConsumerGroups(List.of(group))
				.describedGroups()
				.get(group)
				.get();
			return new ArrayList<>(description.members());
		}
		catch (ExecutionException ex) {
			if (ex.getCause() instanceof GroupIdNotFoundException) {
				return List.of();
			}
			throw new IllegalStateException("cannot describe group " + group, ex.getCause());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("interrupted", ex);
		}
	}

	private static Map<TopicPartition, Long> committed(Admin admin, String group) {
		Map<TopicPartition, Long> offsets = new HashMap<>();
		Map<TopicPartition, OffsetAndMetadata> committed = await(
				admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata(), "read the offsets of " + group);
		committed.forEach((partition, metadata) -> {
			if (metadata != null) {
				offsets.put(partition, metadata.offset());
			}
		});
		return offsets;
	}

	private static <T> T await(org.apache.kafka.common.KafkaFuture<T> future, String what) {
		try {
			return future.get();
		}
		catch (ExecutionException ex) {
			throw new IllegalStateException("cannot " + what + ": " + ex.getCause().getMessage(), ex.getCause());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("interrupted", ex);
		}
	}
}
