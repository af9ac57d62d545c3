package dev.freshline.launcher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

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
	void shouldCreateEveryRoleFromItsPasswordVariableAndHandTheOwnerTheDatabase() throws IOException {
		String script = Files.readString(SCRIPT);
		// the image's superuser (POSTGRES_USER) runs the script; the owner is an ordinary role of
		// ours (each role below is created with exactly the attributes it needs, none more)
		assertThat(script).contains("ALTER DATABASE :\"database\" OWNER TO " + DatabaseRole.OWNER.name() + ";");
		for (DatabaseRole role : DatabaseRole.ALL) {
			assertThat(script).as("the script creates %s", role)
				.contains("CREATE ROLE " + role.name() + " LOGIN " + (role.replication() ? "REPLICATION " : "") + "PASSWORD");
			assertThat(script).contains("\"$" + role.passwordVariable() + "\"");
		}
	}

	@Test
	void shouldGrantNothingSoComposeHasTheTestedPrivilegesOnly() throws IOException {
		// The roles' privileges come from the migrations, which ApiDatabaseRoleIntegrationTests runs
		// on the same Postgres major version: a grant or an extra attribute here would widen them in
		// compose alone, where no test would see it.
		List<String> statements = Files.readAllLines(SCRIPT)
			.stream()
			.map(String::strip)
			.filter((line) -> line.matches("(?i)(CREATE|ALTER|GRANT|REVOKE)\\b.*"))
			.toList();
		assertThat(statements).as("the script's SQL statements").allSatisfy((statement) -> assertThat(statement)
			.matches("CREATE ROLE [a-z_]+ LOGIN (REPLICATION )?PASSWORD :'[a-z_]+';|ALTER DATABASE :\"database\" OWNER TO "
					+ DatabaseRole.OWNER.name() + ";"));
		assertThat(statements).hasSize(DatabaseRole.ALL.size() + 1);
	}
}
