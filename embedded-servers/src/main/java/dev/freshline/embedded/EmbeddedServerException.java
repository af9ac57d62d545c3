package dev.freshline.embedded;

/**
 * Thrown when an embedded server cannot be started, stopped or queried. Unchecked because callers
 * (a launcher, a test fixture) can only give up, and checked I/O or SQL exceptions would only add noise.
 */
public final class EmbeddedServerException extends RuntimeException {

	private static final long serialVersionUID = 1L;

	public EmbeddedServerException(String message, Throwable cause) {
		super(message, cause);
	}

	public EmbeddedServerException(String message) {
		super(message);
	}
}
