package dev.freshline.support;

import java.io.IOException;
import java.net.ServerSocket;

import org.junit.jupiter.api.Test;

import dev.freshline.model.RuleSet;
import dev.freshline.model.SchemaCheckException;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A failed connection names the role and the server, never the URL's parameters (a password may be one). */
class PostgresSchemaCheckTests {

	@Test
	void shouldNameRoleAndServerButNotTheUrlParametersWhenItCannotConnect() throws IOException {
		int closedPort;
		try (ServerSocket socket = new ServerSocket(0)) {
			closedPort = socket.getLocalPort();
		}
		String url = "jdbc:postgresql://127.0.0.1:" + closedPort + "/freshline?password=hunter2&connectTimeout=2";

		assertThatThrownBy(() -> new PostgresSchemaCheck(RuleSet.loadDefault()).verify(url, "freshline_cdc", null,
				"freshline"))
			.isInstanceOf(SchemaCheckException.class)
			.hasMessageStartingWith("cannot connect as freshline_cdc to jdbc:postgresql://127.0.0.1:" + closedPort
					+ "/freshline to check the rules: ")
			.hasMessageNotContaining("hunter2");
	}
}
