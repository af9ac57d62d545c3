package dev.freshline.cache.acl;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.freshline.model.CacheKeys;

/**
 * Renders {@value #RESOURCE}, the one list of what each Freshline component may do in Redis, into
 * an ACL file for redis-server's {@code aclfile} setting. The rules are fixed text; the only values
 * put into them are the key prefix, already validated by {@link CacheKeys}, and password hashes, so
 * nothing a user types can add a rule. docker/redis/start-redis.sh renders the same file the same way.
 */
public final class RedisUsers {

	/** The classpath resource holding the rules; {@code cache-protocol/src/main/resources/} in the repository. */
	public static final String RESOURCE = "freshline-redis-users.acl";

	/** The user the API services log in as. */
	public static final String API = "api";

	/** The user the invalidator logs in as. */
	public static final String INVALIDATOR = "invalidator";

	/** The user of {@code scripts/ops}. */
	public static final String OPS = "ops";

	/** The bench and chaos harness' user, on the launcher's stack only. */
	public static final String HARNESS = "harness";

	/** The user a client without credentials is, disabled by the rules. */
	public static final String DEFAULT = "default";

	private static final String PREFIX = "{prefix}";

	private static final String PASSWORD = "{password}";

	/** user name -> its rule line, in the file's order. */
	private final Map<String, String> rules;

	private RedisUsers(Map<String, String> rules) {
		this.rules = rules;
	}

	/** The rules of {@value #RESOURCE}. */
	public static RedisUsers load() {
		try (InputStream in = RedisUsers.class.getClassLoader().getResourceAsStream(RESOURCE)) {
			if (in == null) {
				throw new IllegalStateException(RESOURCE + " is not on the classpath");
			}
			return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot read " + RESOURCE, ex);
		}
	}

	static RedisUsers parse(String text) {
		Map<String, String> rules = new LinkedHashMap<>();
		for (String line : text.split("\n")) {
			String rule = line.strip();
			if (rule.isEmpty() || rule.startsWith("#")) {
				continue;
			}
			String[] words = rule.split("\\s+");
			if (words.length < 3 || !words[0].equals("user")) {
				throw new IllegalStateException(RESOURCE + ": not a user rule: " + rule);
			}
			if (rules.put(words[1], rule) != null) {
				throw new IllegalStateException(RESOURCE + ": user " + words[1] + " twice");
			}
		}
		if (!rules.containsKey(DEFAULT)) {
			throw new IllegalStateException(RESOURCE + " must disable the default user");
		}
		return new RedisUsers(rules);
	}

	/** The users the rules define, the default user excluded. */
	public Set<String> users() {
		Set<String> users = new LinkedHashSet<>(this.rules.keySet());
		users.remove(DEFAULT);
		return users;
	}

	/**
	 * The ACL file for {@code keys}' prefix: the default user disabled, and each user of
	 * {@code passwords} with its password's hash. A user left out of {@code passwords} is left out
	 * of the file, so nobody can log in as it (compose has no harness).
	 *
	 * @throws IllegalArgumentException for a user the rules do not define, or a blank password
	 */
	public String aclFile(CacheKeys keys, Map<String, String> passwords) {
		List<String> lines = new ArrayList<>();
		lines.add(this.rules.get(DEFAULT));
		for (Map.Entry<String, String> user : passwords.entrySet()) {
			String rule = this.rules.get(user.getKey());
			if (rule == null || user.getKey().equals(DEFAULT)) {
				throw new IllegalArgumentException("no Redis user '" + user.getKey() + "' in " + RESOURCE);
			}
			if (user.getValue().isBlank()) {
				throw new IllegalArgumentException("the password of Redis user '" + user.getKey() + "' is blank");
			}
			lines.add(rule.replace(PREFIX, keys.prefix()).replace(PASSWORD, "#" + sha256(user.getValue())));
		}
		return String.join("\n", lines) + "\n";
	}

	/** How an ACL file stores a password ({@code #<hex>}): the same as {@code ACL GETUSER} shows it. */
	static String sha256(String password) {
		try {
			return HexFormat.of()
				.formatHex(MessageDigest.getInstance("SHA-256").digest(password.getBytes(StandardCharsets.UTF_8)));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("every JVM has SHA-256", ex);
		}
	}
}
