package dev.freshline.ops;

import java.util.stream.Collectors;

import org.jspecify.annotations.Nullable;

import dev.freshline.model.RuleSet;
import dev.freshline.model.Topics;

/** A change topic and the table it carries, checked against the rules: nothing is read for a table without a rule. */
public record ChangeTopic(String table, String topic) {

	/** From {@code --table} or {@code --topic}, exactly one of which is set. */
	public static ChangeTopic of(@Nullable String table, @Nullable String topic, Topics topics, RuleSet rules,
			String rulesLocation) {
		String name = (table != null) ? table : topics.tableOf(topic)
			.orElseThrow(() -> new OpsException("topic " + topic + " is not a change topic (expected "
					+ topics.changes("<table>") + ")"));
		if (rules.table(name).isEmpty()) {
			throw new OpsException("unknown table '" + name + "': the rules (" + rulesLocation + ") declare "
					+ rules.tables().keySet().stream().sorted().collect(Collectors.joining(", ")));
		}
		return new ChangeTopic(name, topics.changes(name));
	}
}
