package dev.freshline.model;

/** A change record that cannot be parsed; it is never retried, it goes to the dead-letter topic. */
public class MalformedChangeEventException extends RuntimeException {

	public MalformedChangeEventException(String message) {
		super(message);
	}

	public MalformedChangeEventException(String message, Throwable cause) {
		super(message, cause);
	}
}
