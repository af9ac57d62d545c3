package dev.freshline.cache;

/**
 * A tag index member is {@code <key>|<token>}: the entry's key plus the token of the read that
 * registered it. Keys never contain {@code |} (ids are canonical), so the key is recoverable,
 * and each read registers a member of its own that no earlier invalidation can remove.
 */
final class TagMembers {

	private TagMembers() {
	}

	static String member(String key, String token) {
		return key + "|" + token;
	}

	static String keyOf(String member) {
		int separator = member.lastIndexOf('|');
		return (separator < 0) ? member : member.substring(0, separator);
	}
}
