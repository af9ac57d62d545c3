package dev.freshline.invalidator.invalidation;

import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import org.jspecify.annotations.Nullable;

/**
 * What the invalidator writes into the metadata of each offset it commits: the ids of the topics
 * its consumer was reading, so that the next assignment can tell a recreated topic (same name,
 * new id) from the one the offset was committed for. The string is {@code key=value} entries
 * separated by {@code ;}, so that other entries can be added without breaking older readers;
 * only topic ids are kept (22 characters each), never names, to stay well inside the broker's
 * {@code offset.metadata.max.bytes} (4096 by default, room for about 170 topics per consumer).
 *
 * @param topicIds the ids of the topics assigned to the committing consumer; empty when the
 * commit was written by something else (an older invalidator, an ops tool), which proves nothing
 */
record CommitMetadata(Set<String> topicIds) {

	private static final String TOPIC_IDS = "topic-ids";

	CommitMetadata {
		topicIds = Set.copyOf(topicIds);
	}

	static CommitMetadata parse(@Nullable String metadata) {
		if (metadata == null || metadata.isBlank()) {
			return new CommitMetadata(Set.of());
		}
		for (String entry : metadata.split(";")) {
			int equals = entry.indexOf('=');
			if (equals > 0 && entry.substring(0, equals).trim().equals(TOPIC_IDS)) {
				return new CommitMetadata(Arrays.stream(entry.substring(equals + 1).split(","))
					.map(String::trim)
					.filter((id) -> !id.isEmpty())
					.collect(Collectors.toSet()));
			}
		}
		return new CommitMetadata(Set.of());
	}

	/** Whether the commit names the topics it was written for; a commit that does not proves nothing. */
	boolean knowsTopics() {
		return !this.topicIds.isEmpty();
	}

	String encode() {
		return this.topicIds.isEmpty() ? "" : TOPIC_IDS + "=" + String.join(",", new TreeSet<>(this.topicIds));
	}
}
