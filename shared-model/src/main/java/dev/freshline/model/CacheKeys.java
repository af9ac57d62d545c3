package dev.freshline.model;

import java.util.regex.Pattern;

/**
 * The one key scheme: {@code <prefix>:<namespace>:{<id>}}. The braces are a Redis Cluster hash
 * tag, so an entry's value and the lease and floor that later join it land in one slot. Ids
 * arrive canonical (see {@link IdType}), so no key can carry input-controlled syntax.
 */
public record CacheKeys(String prefix) {

	private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,62}");

	public CacheKeys {
		requireName("key prefix", prefix);
	}

	public String key(Namespace namespace, String canonicalId) {
		return this.prefix + ":" + namespace.id() + ":{" + canonicalId + "}";
	}

	public String key(Namespace namespace, long id) {
		if (id <= 0) {
			throw new InvalidIdException("id must be positive");
		}
		return key(namespace, Long.toString(id));
	}

	public String patient(long id) {
		return key(Namespace.PATIENT, id);
	}

	public String formulary(long hospitalId) {
		return key(Namespace.FORMULARY, hospitalId);
	}

	/** The lease guarding fills of {@code key}; same hash tag, so scripts stay in one slot. */
	public String lease(String key) {
		return key + ":lease";
	}

	/** The version floor of {@code key}: fills of older versions are refused. */
	public String floor(String key) {
		return key + ":floor";
	}

	/** The set of entries carrying a tag such as {@code hospital:7}: {@code <prefix>:tag:{hospital:7}}. */
	public String tagIndex(String tag) {
		return this.prefix + ":" + Namespace.TAGS + ":{" + tag + "}";
	}

	/**
	 * The applied watermarks of {@code table}'s change topic: a hash from partition number to the
	 * last {@link Watermark} the invalidator applied there. Outside every namespace's pattern, so
	 * no flush removes it; the table name comes from the rules, never from input.
	 */
	public String watermarks(String table) {
		return this.prefix + ":" + Namespace.WATERMARKS + ":{" + table + "}";
	}

	/**
	 * The Redis server lifetime ({@code run_id}) the cached entries belong to: outside every
	 * namespace's pattern, so no flush removes it.
	 */
	public String serverLifetime() {
		return this.prefix + ":redis-run-id";
	}

	/**
	 * The record of one Redis Cluster primary's lifetime: {@link #serverLifetime()} with a hash
	 * tag that places it in a slot of that primary, so the record lives, is replicated and is
	 * promoted with that primary's data. The tag is chosen by the caller (any text that hashes to
	 * the slot) and never comes from input.
	 */
	public String serverLifetime(String hashTag) {
		return serverLifetime() + ":{" + hashTag + "}";
	}

	/** Whether {@code key} is a record of a server lifetime, a single Redis' or a cluster primary's. */
	public boolean isServerLifetime(String key) {
		return key.equals(serverLifetime()) || (key.startsWith(serverLifetime() + ":{") && key.endsWith("}"));
	}

	/**
	 * Each invalidator instance's figures for the API's status page ({@link InvalidatorStatus}, a
	 * hash field per instance): outside every namespace's pattern, so no flush removes it.
	 */
	public String status() {
		return this.prefix + ":status";
	}

	/** The SCAN pattern of a namespace; built only from configuration, never from input. */
	public String namespacePattern(Namespace namespace) {
		return this.prefix + ":" + namespace.id() + ":*";
	}

	/**
	 * The namespace of an entry key this scheme built ({@code <prefix>:<namespace>:{<id>}}, or its
	 * lease or floor), so callers never re-parse the key grammar themselves. A tag index key yields
	 * the pseudo-namespace {@code tag}.
	 */
	public Namespace namespaceOf(String key) {
		int start = this.prefix.length() + 1;
		int end = key.indexOf(':', start);
		if (!key.startsWith(this.prefix + ":") || end < 0) {
			throw new IllegalArgumentException("not a key of prefix '" + this.prefix + "': " + key);
		}
		return new Namespace(key.substring(start, end));
	}

	static void requireName(String what, String value) {
		if (!NAME.matcher(value).matches()) {
			throw new IllegalArgumentException(what + " must match " + NAME.pattern() + " but was '" + value + "'");
		}
	}
}
