package dev.freshline.model;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import org.jspecify.annotations.Nullable;

/**
 * What is written into the metadata of each offset of the invalidator's group, by the invalidator
 * and by {@code ops reset-group}: the ids of the topics the offset was committed for, so that the
 * next assignment can tell a recreated topic (same name, new id) from the one the offset belongs
 * to, and the number of records an operator skipped with {@code reset-group --allow-skip}, so
 * that the invalidator flushes for them rather than trusting the move. A commit without topic ids
 * was written by something else (Kafka's own tools, say), which proves nothing.
 *
 * <p>The string is {@code key=value} entries separated by {@code ;}, so that entries can be added
 * without breaking older readers; only topic ids are kept (22 characters each), never names, to
 * stay well inside the broker's {@code offset.metadata.max.bytes} (4096 by default, room for
 * about 170 topics per consumer).
 *
 * @param topicIds the ids of the topics the offset was committed for
 * @param skipped how many records of the partition an operator moved the group past without
 * their being applied; 0 for an ordinary commit
 */
public record CommitMetadata(Set<String> topicIds, long skipped) {

	private static final String TOPIC_IDS = "topic-ids";

	private static final String SKIPPED = "skipped";

	public CommitMetadata {
		topicIds = Set.copyOf(topicIds);
		if (skipped < 0) {
			throw new IllegalArgumentException("skipped must not be negative: " + skipped);
		}
	}

	/** An ordinary commit for the topics {@code topicIds}. */
	public CommitMetadata(Set<String> topicIds) {
		this(topicIds, 0);
	}

	/** Reads what {@link #encode()} wrote; entries it does not know, and anything else, are ignored. */
	public static CommitMetadata parse(@Nullable String metadata) {
		if (metadata == null || metadata.isBlank()) {
			return new CommitMetadata(Set.of());
		}
		Map<String, String> entries = new LinkedHashMap<>();
		for (String entry : metadata.split(";")) {
			int equals = entry.indexOf('=');
			if (equals > 0) {
				entries.putIfAbsent(entry.substring(0, equals).trim(), entry.substring(equals + 1).trim());
			}
		}
		Set<String> topicIds = Arrays.stream(entries.getOrDefault(TOPIC_IDS, "").split(","))
			.map(String::trim)
			.filter((id) -> !id.isEmpty())
			.collect(Collectors.toSet());
		return new CommitMetadata(topicIds, skippedOf(entries.get(SKIPPED)));
	}

	/**
	 * A count that cannot be read is taken as a skip of unknown size: the marker's presence is
	 * what matters, and reading it as none would trust a move that said it skipped.
	 */
	private static long skippedOf(@Nullable String value) {
		if (value == null) {
			return 0;
		}
		try {
			return Math.max(1, Long.parseLong(value));
		}
		catch (NumberFormatException ex) {
			return 1;
		}
	}

	/** Whether the commit names the topics it was written for; a commit that does not proves nothing. */
	public boolean knowsTopics() {
		return !this.topicIds.isEmpty();
	}

	/** Whether an operator moved the group past records that were never applied. */
	public boolean recordsSkip() {
		return this.skipped > 0;
	}

	public String encode() {
		StringBuilder encoded = new StringBuilder();
		if (!this.topicIds.isEmpty()) {
			encoded.append(TOPIC_IDS).append('=').append(String.join(",", new TreeSet<>(this.topicIds)));
		}
		if (this.skipped > 0) {
			encoded.append(encoded.isEmpty() ? "" : ";").append(SKIPPED).append('=').append(this.skipped);
		}
		return encoded.toString();
	}
}
