package dev.freshline.api;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.context.ConfigurableApplicationContext;

import dev.freshline.embedded.SharedServers;
import dev.freshline.embedded.TestDatabase;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The API migrates any database it is pointed at, so the synthetic demo patients (db/seed) must
 * only go where someone asked for them (the local stack, the tests): by default the schema is
 * created and left empty. ApiIntegrationTests is the seeded counterpart.
 */
class DemoDataIntegrationTests {

	private TestDatabase database;

	@BeforeEach
	void createDatabase() {
		this.database = SharedServers.get().newDatabase();
	}

	@AfterEach
	void dropDatabase() {
		SharedServers.get().dropDatabase(this.database);
	}

	@Test
	void shouldMigrateWithoutDemoDataByDefault() throws Exception {
		try (ConfigurableApplicationContext api = TestApi
			.start(TestApi.environment(this.database, SharedServers.get().redis(), SharedServers.uniqueName("seed")))) {
			assertThat(count("patient")).as("no demo patients in a database nobody asked to seed").isZero();
			assertThat(count("formulary_item")).isZero();
		}
	}

	private long count(String table) throws Exception {
		try (Connection connection = this.database.connect(this.database.owner());
				Statement statement = connection.createStatement();
				ResultSet result = statement.executeQuery("SELECT count(*) FROM " + table)) {
			result.next();
			return result.getLong(1);
		}
	}
}
