package dev.freshline.model;

import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The check's rules over a catalog given as values, without Postgres: what the catalog says is
 * all the check needs (the services read it over JDBC; SchemaCheckIntegrationTests in the
 * invalidator runs the same check against a real database).
 */
class SchemaCheckTests {

	private final SchemaCheck check = new SchemaCheck(RuleSet.loadDefault());

	@Test
	void shouldPassACatalogThatDeliversEveryTemplateColumn() {
		assertThatCode(() -> this.check.verify(new Catalog('f'), "freshline")).doesNotThrowAnyException();
	}

	@Test
	void shouldNameTheFixWhenTheReplicaIdentityLacksATemplateColumn() {
		assertThatThrownBy(() -> this.check.verify(new Catalog('d'), "freshline")).isInstanceOf(SchemaCheckException.class)
			.hasMessageContainingAll("REPLICA IDENTITY DEFAULT (primary key [id])", "carry ward",
					"ALTER TABLE public.patient REPLICA IDENTITY FULL;");
	}

	@Test
	void shouldRefuseAMissingPublication() {
		assertThatThrownBy(() -> this.check.verify(new Catalog('f'), "nope")).isInstanceOf(SchemaCheckException.class)
			.hasMessageContaining("CREATE PUBLICATION nope");
	}

	@Test
	void shouldNameTheFixWhenThePublicationSkipsAnOperation() {
		Catalog catalog = new Catalog('f', Set.of("insert", "update", "delete"), Map.of());

		assertThatThrownBy(() -> this.check.verify(catalog, "freshline")).isInstanceOf(SchemaCheckException.class)
			.hasMessageContainingAll("does not publish truncate",
					"ALTER PUBLICATION freshline SET (publish = 'insert, update, delete, truncate');");
	}

	@Test
	void shouldNameTheFixWhenARuleTableIsPublishedWithARowFilter() {
		Catalog catalog = new Catalog('f', Set.of("insert", "update", "delete", "truncate"),
				Map.of("formulary_item", "(status = 'ACTIVE'::text)"));

		assertThatThrownBy(() -> this.check.verify(catalog, "freshline")).isInstanceOf(SchemaCheckException.class)
			.hasMessageContainingAll("formulary_item is published in 'freshline' with a row filter",
					"ALTER PUBLICATION freshline DROP TABLE public.formulary_item;");
	}

	/**
	 * The shipped schema: both tables published in 'freshline', with the given replica identity,
	 * operations and row filters.
	 */
	private record Catalog(char identity, Set<String> operations, Map<String, String> filters) implements SchemaCatalog {

		Catalog(char identity) {
			this(identity, Set.of("insert", "update", "delete", "truncate"), Map.of());
		}

		@Override
		public boolean publicationExists(String publication) {
			return publication.equals("freshline");
		}

		@Override
		public Set<String> publishedTables(String publication) {
			return Set.of("patient", "formulary_item");
		}

		@Override
		public Map<String, String> columns(String table) {
			return table.equals("patient")
					? Map.of("id", "bigint", "ward", "character varying(32)", "version", "bigint")
					: Map.of("id", "bigint", "hospital_id", "bigint", "version", "bigint");
		}

		@Override
		public char replicaIdentity(String table) {
			return this.identity;
		}

		@Override
		public Set<String> identityColumns(String table, char identity) {
			return Set.of("id");
		}

		@Override
		public Set<String> publishedOperations(String publication) {
			return this.operations;
		}

		@Override
		public Map<String, String> rowFilters(String publication) {
			return this.filters;
		}
	}
}
