package dev.freshline.model;

/** A family of cache keys, flushed as a unit when a table's changes can no longer be mapped. */
public enum Namespace {
	PATIENT("patient"), FORMULARY("formulary");

	private final String id;

	Namespace(String id) {
		this.id = id;
	}

	public String id() {
		return this.id;
	}
}
