package dev.freshline.cache;

import java.util.Locale;

/**
 * Why a whole namespace was flushed, in few enough kinds to be a metric's label: the reason a
 * log line gives is free text (a table, a partition, offsets), this is its class.
 */
public enum FlushCause {

	/** The rules map a change to a flush: a TRUNCATE, an unchanged TOASTed value, a missing column. */
	CHANGE,

	/** A record that could not be read or mapped to keys: flushed instead of skipped, then dead-lettered. */
	UNREADABLE,

	/** Records the invalidator never applied (a gap in offsets, a topic recreated, offsets reset). */
	OFFSET_GAP,

	/** Redis came back without the deletes it had acknowledged (a restart without persistence, a failover). */
	REDIS_RESTART;

	/** The label value: lower case, hyphenated. */
	public String tag() {
		return name().toLowerCase(Locale.ROOT).replace('_', '-');
	}
}
