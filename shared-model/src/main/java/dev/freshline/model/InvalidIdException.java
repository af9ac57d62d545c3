package dev.freshline.model;

/** An id from outside (a URL, a request body) that is not a canonical positive number. */
public class InvalidIdException extends IllegalArgumentException {

	public InvalidIdException(String message) {
		super(message);
	}
}
