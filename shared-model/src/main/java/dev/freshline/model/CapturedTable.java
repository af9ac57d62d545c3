package dev.freshline.model;

import java.util.Arrays;
import java.util.Optional;

/** The tables whose changes Freshline captures, with the namespace their keys live in. */
public enum CapturedTable {
	PATIENT("patient", Namespace.PATIENT), FORMULARY_ITEM("formulary_item", Namespace.FORMULARY);

	private final String tableName;

	private final Namespace namespace;

	CapturedTable(String tableName, Namespace namespace) {
		this.tableName = tableName;
		this.namespace = namespace;
	}

	public String tableName() {
		return this.tableName;
	}

	public Namespace namespace() {
		return this.namespace;
	}

	public static Optional<CapturedTable> byName(String tableName) {
		return Arrays.stream(values()).filter((table) -> table.tableName.equals(tableName)).findFirst();
	}
}
