package dev.freshline.launcher;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.freshline.cache.acl.RedisUsers;
import dev.freshline.model.CacheKeys;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * docker-compose's Redis renders its users with {@code docker/redis/start-redis.sh}; the launcher
 * and the tests with {@link RedisUsers}. From the same rules file and the same passwords, both
 * must write the same ACL file, and the script must refuse a prefix that could change a rule.
 */
class RedisUsersScriptTests {

	private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

	private static final Path SCRIPT = ROOT.resolve("docker/redis/start-redis.sh");

	private static final Path RULES = ROOT.resolve("cache-protocol/src/main/resources/" + RedisUsers.RESOURCE);

	@TempDir
	Path directory;

	@Test
	void shouldRenderTheSameAclFileAsRedisUsers() throws Exception {
		Map<String, String> passwords = new LinkedHashMap<>();
		passwords.put(RedisUsers.API, "api secret");
		passwords.put(RedisUsers.INVALIDATOR, "inv'secret$1");
		passwords.put(RedisUsers.OPS, "ops-secret");
		Map<String, String> environment = new LinkedHashMap<>();
		passwords.forEach((user, password) -> environment.put("REDIS_" + user.toUpperCase() + "_PASSWORD", password));
		environment.put("FRESHLINE_KEY_PREFIX", "shop-1");

		Rendered rendered = render(environment);

		assertThat(rendered.exitCode()).as(rendered.output()).isZero();
		assertThat(rendered.output()).isEqualTo(RedisUsers.load().aclFile(new CacheKeys("shop-1"), passwords));
		assertThat(rendered.output()).doesNotContain("harness").doesNotContain("secret");
	}

	@Test
	void shouldRefuseAPrefixThatCouldAddARule() throws Exception {
		Rendered rendered = render(Map.of("FRESHLINE_KEY_PREFIX", "x +@all ~*", "REDIS_API_PASSWORD", "p"));

		assertThat(rendered.exitCode()).isNotZero();
		assertThat(rendered.output()).contains("FRESHLINE_KEY_PREFIX must match");
	}

	private Rendered render(Map<String, String> environment) throws Exception {
		ProcessBuilder builder = new ProcessBuilder("sh", SCRIPT.toString(), "--render-only").redirectErrorStream(true);
		builder.environment().clear();
		builder.environment().put("PATH", System.getenv("PATH"));
		builder.environment().putAll(environment);
		builder.environment().put("FRESHLINE_REDIS_RULES", RULES.toString());
		builder.environment().put("FRESHLINE_REDIS_ACL", this.directory.resolve("users.acl").toString());
		Process process = builder.start();
		String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
		return new Rendered(process.exitValue(), output);
	}

	private record Rendered(int exitCode, String output) {
	}
}
