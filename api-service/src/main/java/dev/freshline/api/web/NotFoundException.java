package dev.freshline.api.web;

/** A well-formed id that names no row (or a name the rules do not declare). */
public class NotFoundException extends RuntimeException {

	public NotFoundException(String what, long id) {
		super(what + " " + id + " not found");
	}

	public NotFoundException(String message) {
		super(message);
	}
}
