package dev.freshline.model;

/** The rules file cannot be read or does not describe a consistent set of keys; the message says where. */
public class RulesException extends IllegalArgumentException {

	public RulesException(String message) {
		super(message);
	}

	public RulesException(String message, Throwable cause) {
		super(message, cause);
	}
}
