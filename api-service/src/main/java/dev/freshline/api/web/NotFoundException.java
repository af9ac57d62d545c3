package dev.freshline.api.web;

/** A well-formed id that names no row. */
public class NotFoundException extends RuntimeException {

	public NotFoundException(String what, long id) {
		super(what + " " + id + " not found");
	}
}
