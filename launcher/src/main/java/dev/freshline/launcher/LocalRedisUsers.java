package dev.freshline.launcher;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.freshline.cache.acl.RedisUsers;
import dev.freshline.embedded.RedisServer;
import dev.freshline.embedded.ServiceEnvironment;
import dev.freshline.model.CacheKeys;

/**
 * The Redis users of one run of the local stack: every user of {@link RedisUsers} with a random
 * password, the ACL file redis-server loads (the default user disabled), the environment that
 * logs a service in as its own user, and what {@code local-stack.json} tells scripts.
 */
final class LocalRedisUsers {

	/** The key prefix the services use unless the launcher's environment sets another one. */
	private static final String DEFAULT_KEY_PREFIX = "freshline";

	private final CacheKeys keys;

	private final Map<String, String> passwords;

	private LocalRedisUsers(CacheKeys keys, Map<String, String> passwords) {
		this.keys = keys;
		this.passwords = passwords;
	}

	/**
	 * Users for the key prefix the services will use (the services read the same
	 * {@value ServiceEnvironment#FRESHLINE_KEY_PREFIX} they inherit from the launcher), validated by
	 * {@link CacheKeys} before it goes into a rule.
	 */
	static LocalRedisUsers random(Map<String, String> environment) {
		String prefix = environment.getOrDefault(ServiceEnvironment.FRESHLINE_KEY_PREFIX, DEFAULT_KEY_PREFIX);
		CacheKeys keys = new CacheKeys(prefix.isBlank() ? DEFAULT_KEY_PREFIX : prefix.trim());
		Map<String, String> passwords = new LinkedHashMap<>();
		for (String user : RedisUsers.load().users()) {
			passwords.put(user, Passwords.random());
		}
		return new LocalRedisUsers(keys, passwords);
	}

	/** The text of the ACL file with these users: every node of a cluster loads it. */
	String aclFile() {
		return RedisUsers.load().aclFile(this.keys, this.passwords);
	}

	/** redis-server's command line, with these users in an owner-only ACL file in {@code directory}. */
	List<String> redisCommand(Path directory, int port) {
		return RedisServer.command(directory, port, aclFile());
	}

	/** {@code environment} plus the Redis user {@code user} and its password. */
	Map<String, String> environmentOf(String user, Map<String, String> environment) {
		Map<String, String> withUser = new LinkedHashMap<>(environment);
		withUser.putAll(new ServiceEnvironment().redisUser(user, password(user)).toStrings());
		return withUser;
	}

	/** For {@code local-stack.json}: {@code redis.users.<name>.user} and {@code .password}. */
	Map<String, StackInfo.Login> stackInfo() {
		Map<String, StackInfo.Login> users = new LinkedHashMap<>();
		this.passwords.forEach((user, password) -> users.put(user, new StackInfo.Login(user, password)));
		return users;
	}

	private String password(String user) {
		String password = this.passwords.get(user);
		if (password == null) {
			throw new IllegalArgumentException("no Redis user " + user);
		}
		return password;
	}

	@Override
	public String toString() {
		// the passwords stay out of logs
		return "LocalRedisUsers" + this.passwords.keySet() + " for keys " + this.keys.prefix() + ":*";
	}
}
