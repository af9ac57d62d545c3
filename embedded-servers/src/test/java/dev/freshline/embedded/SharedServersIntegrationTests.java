package dev.freshline.embedded;

import java.io.IOException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The shared servers are stopped by the JVM shutdown hook, which is what this class relies on. */
class SharedServersIntegrationTests {

	private final SharedServers shared = SharedServers.get();

	@Test
	void shouldStartEachServerOnceAndHandOutTheSameInstance() {
		assertThat(SharedServers.get()).isSameAs(this.shared);
		assertThat(this.shared.postgres()).isSameAs(this.shared.postgres());
		assertThat(this.shared.kafka()).isSameAs(this.shared.kafka());
		assertThat(this.shared.redis()).isSameAs(this.shared.redis());
		assertThat(this.shared.redis().isRunning()).isTrue();
	}

	@Test
	void shouldCreateAFreshDatabaseOwnedByTheFreshlineRole() throws SQLException {
		TestDatabase first = this.shared.newDatabase();
		TestDatabase second = this.shared.newDatabase();

		assertThat(first.name()).isNotEqualTo(second.name()).matches("t_[0-9]+_[a-z0-9]{6}");
		assertThat(first.jdbcUrl()).isEqualTo(this.shared.postgres().jdbcUrl(first.name()));
		assertThat(first.host()).isEqualTo("127.0.0.1");
		assertThat(first.port()).isEqualTo(this.shared.postgres().port());

		try (Connection connection = first.connect(first.owner());
				Statement statement = connection.createStatement()) {
			statement.execute("CREATE TABLE product (id bigint PRIMARY KEY)");
			try (ResultSet rows = statement.executeQuery("SELECT current_user, pg_catalog.pg_get_userbyid(datdba)"
					+ " FROM pg_database WHERE datname = current_database()")) {
				assertThat(rows.next()).isTrue();
				assertThat(rows.getString(1)).isEqualTo("freshline");
				assertThat(rows.getString(2)).isEqualTo("freshline");
			}
		}
		this.shared.dropDatabase(first);
		this.shared.dropDatabase(second);
	}

	@Test
	void shouldProvideEveryServiceRole() throws SQLException {
		TestDatabase database = this.shared.newDatabase();
		try (Connection connection = database.connect(database.cdc());
				Statement statement = connection.createStatement();
				ResultSet rows = statement.executeQuery(
						"SELECT rolname, rolreplication FROM pg_roles WHERE rolname LIKE 'freshline%' ORDER BY rolname")) {
			Set<String> roles = new HashSet<>();
			while (rows.next()) {
				roles.add(rows.getString(1) + ":" + rows.getBoolean(2));
			}
			assertThat(roles).containsExactlyInAnyOrder("freshline:false", "freshline_api:false", "freshline_cdc:true",
					"freshline_invalidator:false", "freshline_signal:false", "freshline_inspect:false");
		}
		try (Connection connection = database.connect(database.api())) {
			assertThat(connection.isValid(2)).isTrue();
		}
		try (Connection connection = database.connect(DatabaseRole.INVALIDATOR)) {
			assertThat(connection.isValid(2)).isTrue();
		}
		this.shared.dropDatabase(database);
	}

	@Test
	void shouldServeRedis() throws IOException {
		try (RespClient client = new RespClient(this.shared.redis().host(), this.shared.redis().port())) {
			String key = SharedServers.uniqueName("cache") + ":product:1";
			assertThat(client.call("SET", key, "v")).isEqualTo("OK");
			assertThat(client.call("GET", key)).isEqualTo("v");
		}
	}

	@Test
	void shouldMakeUniqueNamesSafeForTopicsSlotsAndKeys() {
		Set<String> names = new HashSet<>();
		IntStream.range(0, 1_000).forEach((i) -> names.add(SharedServers.uniqueName("Orders-CDC.v1")));

		assertThat(names).hasSize(1_000).allSatisfy((name) -> assertThat(name).matches("[a-z_][a-z0-9_]{0,62}"));
		assertThat(SharedServers.uniqueName("Orders-CDC.v1")).startsWith("orders_cdc_v1_");
		assertThat(SharedServers.uniqueName("9lives")).startsWith("n9lives_");
		assertThat(SharedServers.uniqueName("x".repeat(100))).hasSizeLessThanOrEqualTo(63);
	}
}
