package dev.freshline.pipeline;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import dev.freshline.embedded.DatabaseRole;
import dev.freshline.model.Namespace;
import dev.freshline.ops.Ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * {@code ops resnapshot} against the whole pipeline: the signal makes Debezium re-read the table
 * (an incremental snapshot) and every row's keys are invalidated, although none of these rows
 * changed; only the signal role may send signals.
 */
@ExtendWith(PipelineStackExtension.class)
class ResnapshotIntegrationTests {

	/** The ops tool's home: no .freshline/local-stack.json there, so it takes the stack's environment. */
	@TempDir
	Path home;

	@Test
	void shouldInvalidateTheKeysOfEveryRowOfTheTable(PipelineStack stack) throws Exception {
		List<String> keys = List.of(stack.keys().patient(1), stack.keys().patient(1777),
				stack.keys().patient(3000), stack.keys().key(Namespace.WARD, "ward-d"));
		keys.forEach((key) -> stack.redis().set(key, "cached, its row never changed"));
		String formulary = stack.keys().formulary(2);
		stack.redis().set(formulary, "another table");

		StringWriter out = new StringWriter();
		int exit = ops(stack, out, "resnapshot", "--table", "patient");

		assertThat(exit).as(out.toString()).isZero();
		assertThat(out.toString()).contains("Signal", "public.patient");
		await().untilAsserted(() -> assertThat(stack.redis().exists(keys.toArray(String[]::new))).isZero());
		assertThat(stack.redis().exists(formulary)).as("only the named table is re-read").isEqualTo(1);
	}

	@Test
	void shouldRefuseAnUnknownTableAndSendNothing(PipelineStack stack) throws Exception {
		StringWriter err = new StringWriter();

		int exit = ops(stack, err, "resnapshot", "--table", "nurse");

		assertThat(exit).isEqualTo(Ops.REFUSED);
		assertThat(err.toString()).contains("unknown table 'nurse'");
		assertThat(signals(stack)).isZero();
	}

	@Test
	void shouldAcceptSignalsFromTheSignalRoleOnly(PipelineStack stack) {
		for (DatabaseRole role : List.of(DatabaseRole.API, DatabaseRole.INVALIDATOR)) {
			assertThatThrownBy(() -> insertSignalAs(stack, role)).as(role.name())
				.isInstanceOf(SQLException.class)
				.hasMessageContaining("permission denied");
		}
	}

	private int ops(PipelineStack stack, StringWriter output, String... args) {
		Map<String, String> environment = new HashMap<>();
		stack.databaseEnvironment().forEach((name, value) -> environment.put(name, String.valueOf(value)));
		PrintWriter writer = new PrintWriter(output, true);
		return new Ops(environment, this.home, Clock.systemUTC(), false).execute(writer, writer, args);
	}

	private long signals(PipelineStack stack) throws SQLException {
		try (Connection connection = stack.connect(); Statement statement = connection.createStatement();
				ResultSet result = statement.executeQuery("SELECT count(*) FROM debezium_signal")) {
			result.next();
			return result.getLong(1);
		}
	}

	private void insertSignalAs(PipelineStack stack, DatabaseRole role) throws SQLException {
		Map<String, Object> environment = stack.databaseEnvironment();
		String url = "jdbc:postgresql://" + environment.get("POSTGRES_HOST") + ":" + environment.get("POSTGRES_PORT") + "/"
				+ environment.get("POSTGRES_DB");
		try (Connection connection = java.sql.DriverManager.getConnection(url, role.name(), role.password());
				Statement statement = connection.createStatement()) {
			statement.executeUpdate("INSERT INTO debezium_signal (id, type, data) VALUES ('x', 'execute-snapshot', "
					+ "'{\"data-collections\": [\"public.patient\"], \"type\": \"incremental\"}')");
		}
	}
}
