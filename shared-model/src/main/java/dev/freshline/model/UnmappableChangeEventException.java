package dev.freshline.model;

/**
 * A well-formed change that no rule can turn into keys (unknown table, a key column missing
 * from both images). Never retried: the namespace is flushed and the record dead-lettered.
 */
public class UnmappableChangeEventException extends RuntimeException {

	public UnmappableChangeEventException(String message) {
		super(message);
	}
}
