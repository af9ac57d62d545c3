package dev.freshline.launcher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import dev.freshline.embedded.DatabaseRole;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * docker-compose's Postgres creates the roles with {@code docker/postgres/10-freshline-roles.sh};
 * the launcher and the tests create them from {@link DatabaseRole}. The script must create the
 * same roles, with the same attributes, from the same password variables.
 */
class PostgresRolesScriptTests {

	private static final Path SCRIPT = Path.of("..", "docker", "postgres", "10-freshline-roles.sh");

	@Test
	void shouldCreateEveryRoleButTheOwnerFromItsPasswordVariable() throws IOException {
		String script = Files.readString(SCRIPT);
		for (DatabaseRole role : DatabaseRole.ALL) {
			if (role == DatabaseRole.OWNER) {
				// the image creates the owner from POSTGRES_USER (ComposeFileTests checks it)
				assertThat(script).doesNotContain("CREATE ROLE " + role.name() + " ");
				continue;
			}
			assertThat(script).as("the script creates %s", role)
				.contains("CREATE ROLE " + role.name() + " LOGIN " + (role.replication() ? "REPLICATION " : "") + "PASSWORD");
			assertThat(script).contains("\"$" + role.passwordVariable() + "\"");
		}
	}
}
