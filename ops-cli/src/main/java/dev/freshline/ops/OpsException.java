package dev.freshline.ops;

/**
 * Input the tool refuses (an unknown table, a time outside the topic, a malformed offset) or a
 * state it will not act in (the live group has members). Thrown before anything is changed; the
 * message is printed as one line and the exit code is {@link Ops#REFUSED}.
 */
public class OpsException extends RuntimeException {

	public OpsException(String message) {
		super(message);
	}
}
