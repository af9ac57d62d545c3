package dev.freshline.model;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * For every key template of every rule (the shipped rules and an extended set with a uuid
 * namespace), the key the API builds from a client's id is exactly a key the invalidator
 * deletes for a change of that row, whatever form the client typed the id in.
 */
class KeyAgreementPropertyTests {

	private static final CacheKeys KEYS = new CacheKeys("freshline");

	private static final List<InvalidationRules> RULE_SETS = Stream
		.of(RuleSet.loadDefault(), RuleSet.load("classpath:rules/extended-rules.yml"))
		.map((rules) -> new InvalidationRules(rules, KEYS))
		.toList();

	@Property(tries = 2000)
	void theKeyAReaderFillsIsAKeyTheChangeDeletes(@ForAll("rowChanges") RowChange change) {
		InvalidationRules rules = change.rules();
		Map<String, Object> row = change.row();
		Namespace namespace = change.template().namespace();

		String readerKey = rules.keyFor(namespace, change.typedByClient());

		for (Operation operation : List.of(Operation.CREATE, Operation.READ, Operation.UPDATE, Operation.DELETE)) {
			ChangeEvent event = new ChangeEvent(operation, change.table(), (operation == Operation.CREATE
					|| operation == Operation.READ) ? null : row, (operation == Operation.DELETE) ? null : row, 0, 0);
			assertThat(rules.planFor(event).invalidations()).extracting(Invalidation::key)
				.as("%s of %s", operation, change)
				.contains(readerKey);
		}
	}

	@Property(tries = 500)
	void aTagInvalidatedByAChangeIsTheTagItsEntriesAreIndexedUnder(@ForAll("hospitalIds") long hospitalId) {
		InvalidationRules rules = RULE_SETS.get(1);
		ChangeEvent renamed = new ChangeEvent(Operation.UPDATE, "hospital", Map.of("id", hospitalId),
				Map.of("id", hospitalId), 0, 0);

		List<String> invalidatedIndexes = rules.planFor(renamed).tags().stream().map(KEYS::tagIndex).toList();

		assertThat(invalidatedIndexes).containsExactlyElementsOf(
				rules.tagIndexesOf(Namespace.FORMULARY, rules.ruleSet().idType(Namespace.FORMULARY).canonical(" " + hospitalId + " ")));
	}

	@Provide
	Arbitrary<Long> hospitalIds() {
		return Arbitraries.longs().between(1, 999_999_999_999_999_999L);
	}

	@Provide
	Arbitrary<RowChange> rowChanges() {
		List<Arbitrary<RowChange>> perTemplate = RULE_SETS.stream()
			.flatMap((rules) -> rules.ruleSet().tables().values().stream().flatMap((table) -> table.keys().stream()
				.map((key) -> rowChange(rules, table, key))))
			.toList();
		return Arbitraries.oneOf(perTemplate);
	}

	private static Arbitrary<RowChange> rowChange(InvalidationRules rules, TableRule table, KeyTemplate key) {
		IdType type = rules.ruleSet().idType(key.namespace());
		Arbitrary<Object[]> valueAndTyped = switch (type.kind()) {
			case INTEGER -> Combinators.combine(Arbitraries.longs().between(1, 999_999_999_999_999_999L),
					Arbitraries.integers().between(0, 3), Arbitraries.integers().between(0, 2))
				.as((value, zeros, spaces) -> {
					String typed = " ".repeat(spaces) + "0".repeat(zeros) + value + " ".repeat(spaces);
					// a bigint up to 18 digits: padding must not push it past what a request may carry
					return new Object[] { value, (typed.strip().length() > 18) ? value.toString() : typed };
				});
			case UUID -> Combinators.combine(Arbitraries.create(UUID::randomUUID), Arbitraries.of(true, false))
				.as((uuid, upper) -> new Object[] { uuid.toString(),
						upper ? " " + uuid.toString().toUpperCase(Locale.ROOT) : uuid.toString() });
			case TEXT -> Arbitraries.strings()
				.withChars("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")
				.ofMinLength(1)
				.ofMaxLength(type.maxLength())
				.map((value) -> new Object[] { value, " " + value });
		};
		Arbitrary<Long> versions = Arbitraries.longs().between(1, 1_000_000);
		return Combinators.combine(valueAndTyped, versions).as((pair, version) -> {
			Map<String, Object> row = new HashMap<>();
			// every column any template of the table reads, so each key is computable
			table.keys().forEach((other) -> row.put(other.column(), sample(rules.ruleSet().idType(other.namespace()))));
			row.put(key.column(), pair[0]);
			row.put("version", version);
			return new RowChange(rules, table.table(), key, row, (String) pair[1]);
		});
	}

	private static Object sample(IdType type) {
		return switch (type.kind()) {
			case INTEGER -> 1L;
			case UUID -> "00000000-0000-0000-0000-000000000001";
			case TEXT -> "x";
		};
	}

	record RowChange(InvalidationRules rules, String table, KeyTemplate template, Map<String, Object> row,
			String typedByClient) {

		@Override
		public String toString() {
			return this.table + " " + this.template + " row " + this.row + " typed as '" + this.typedByClient + "'";
		}
	}
}
