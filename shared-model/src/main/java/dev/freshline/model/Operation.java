package dev.freshline.model;

import java.util.Arrays;

/** Debezium's change operation codes ({@code op} field of an event). */
public enum Operation {
	CREATE("c"), UPDATE("u"), DELETE("d"), READ("r"), TRUNCATE("t"), MESSAGE("m");

	private final String code;

	Operation(String code) {
		this.code = code;
	}

	public String code() {
		return this.code;
	}

	public static Operation fromCode(String code) {
		return Arrays.stream(values())
			.filter((operation) -> operation.code.equals(code))
			.findFirst()
			.orElseThrow(() -> new MalformedChangeEventException("unknown operation code '" + code + "'"));
	}
}
