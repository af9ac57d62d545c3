package dev.freshline.support;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

import org.jspecify.annotations.Nullable;

import dev.freshline.model.RuleSet;
import dev.freshline.model.SchemaCheck;
import dev.freshline.model.SchemaCheckException;

/**
 * The schema check as both services run it at start: connect as the service's own role, check
 * the rules against the catalogs, close. A connection that fails is a {@link SchemaCheckException}
 * too, so a caller handles one exception whatever went wrong.
 */
public final class PostgresSchemaCheck {

	private final SchemaCheck check;

	public PostgresSchemaCheck(RuleSet rules) {
		this.check = new SchemaCheck(rules);
	}

	/** Connects, checks and closes; throws {@link SchemaCheckException} listing every problem and its fix. */
	public void verify(String jdbcUrl, String user, @Nullable String password, String publication) {
		try (Connection connection = DriverManager.getConnection(jdbcUrl, user, (password != null) ? password : "")) {
			verify(connection, publication);
		}
		catch (SQLException ex) {
			// the URL without its parameters: they may carry a password
			throw new SchemaCheckException("cannot connect as " + user + " to " + jdbcUrl.replaceFirst("\\?.*", "")
					+ " to check the rules: " + ex.getMessage(), ex);
		}
	}

	/** Checks over a connection the caller owns. */
	public void verify(Connection connection, String publication) {
		this.check.verify(new PostgresCatalog(connection), publication);
	}
}
