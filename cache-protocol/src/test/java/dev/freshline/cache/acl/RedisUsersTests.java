package dev.freshline.cache.acl;

import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.freshline.model.CacheKeys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class RedisUsersTests {

	private final RedisUsers users = RedisUsers.load();

	@Test
	void shouldDefineOneUserPerComponentAndTheHarness() {
		assertThat(this.users.users()).containsExactly(RedisUsers.API, RedisUsers.INVALIDATOR, RedisUsers.OPS,
				RedisUsers.HARNESS);
	}

	@Test
	void shouldDisableTheDefaultUserAndStoreOnlyPasswordHashes() {
		String acl = this.users.aclFile(new CacheKeys("shop-1"), Map.of(RedisUsers.API, "s3cret"));

		assertThat(acl.lines()).hasSize(2);
		assertThat(acl.lines().findFirst()).hasValueSatisfying((line) -> assertThat(line).startsWith("user default off "));
		assertThat(acl).contains("user api on resetpass #" + RedisUsers.sha256("s3cret") + " resetkeys ~shop-1:* ")
			.doesNotContain("s3cret")
			.doesNotContain("{prefix}")
			.doesNotContain("{password}");
	}

	@Test
	void shouldGrantNoUserTheCommandsNobodyMayRun() {
		String acl = this.users.aclFile(new CacheKeys("freshline"), Map.of(RedisUsers.API, "a", RedisUsers.INVALIDATOR, "b",
				RedisUsers.OPS, "c", RedisUsers.HARNESS, "d"));

		for (String line : acl.lines().toList()) {
			assertThat(line).contains(" -@all").doesNotContain("+@").doesNotContain("allkeys").doesNotContain("allcommands");
			for (String forbidden : new String[] { "flushall", "flushdb", "keys", "debug", "acl", "monitor", "shutdown",
					"module" }) {
				assertThat(line.split(" ")).doesNotContain("+" + forbidden);
			}
		}
		assertThat(acl.lines().filter((line) -> line.contains("+config"))).allMatch((line) -> line.startsWith("user harness "));
	}

	@Test
	void shouldRefuseAUserTheRulesDoNotDefine() {
		assertThatIllegalArgumentException().isThrownBy(() -> this.users.aclFile(new CacheKeys("freshline"), Map.of("root", "x")));
		assertThatIllegalArgumentException()
			.isThrownBy(() -> this.users.aclFile(new CacheKeys("freshline"), Map.of(RedisUsers.DEFAULT, "x")));
		assertThatIllegalArgumentException().isThrownBy(() -> this.users.aclFile(new CacheKeys("freshline"), Map.of(RedisUsers.API, " ")));
	}
}
