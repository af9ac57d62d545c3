package dev.freshline.model;

/** The database does not match the rules; the message lists each problem with the SQL that fixes it. */
public class SchemaCheckException extends IllegalStateException {

	public SchemaCheckException(String message) {
		super(message);
	}

	public SchemaCheckException(String message, Throwable cause) {
		super(message, cause);
	}
}
