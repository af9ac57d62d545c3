package dev.freshline.model;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RuleSetTests {

	@Test
	void shouldLoadTheShippedRules() {
		RuleSet rules = RuleSet.loadDefault();

		assertThat(rules.tables()).containsOnlyKeys("patient", "formulary_item");
		assertThat(rules.idType(Namespace.WARD)).isEqualTo(IdType.text(32));
		assertThat(rules.table("patient").orElseThrow().templateColumns()).containsExactly("id", "ward");
		assertThat(rules.namespacesOf("formulary_item")).containsExactly(Namespace.FORMULARY);
	}

	@Test
	void shouldLoadRulesFromAFile() {
		RuleSet rules = RuleSet.load("classpath:rules/extended-rules.yml");

		assertThat(rules.tables()).containsKeys("device", "hospital");
		assertThat(rules.namespacesOf("hospital")).as("a tag reaches the namespaces whose entries carry it")
			.containsExactly(Namespace.FORMULARY);
	}

	@Test
	void shouldNameTheFileWhenItCannotBeRead() {
		assertThatThrownBy(() -> RuleSet.load("/no/such/rules.yml")).isInstanceOf(RulesException.class)
			.hasMessageContaining("/no/such/rules.yml");
	}

	@Test
	void shouldRefuseAKeyInAnUndeclaredNamespace() {
		assertThatThrownBy(() -> parse("""
				namespaces: {patient: integer}
				tables:
				  patient:
				    keys: [{key: "bed:{bed}"}]
				""")).isInstanceOf(RulesException.class).hasMessageContaining("namespace 'bed' is not declared");
	}

	@Test
	void shouldRefuseAKeyTemplateThatIsNotNamespaceAndColumn() {
		assertThatThrownBy(() -> parse("""
				namespaces: {patient: integer}
				tables:
				  patient:
				    keys: [{key: "patient:{id}:{ward}"}]
				""")).isInstanceOf(RulesException.class).hasMessageContaining("key 'patient:{id}:{ward}'");
	}

	@Test
	void shouldRefuseATagBuiltFromAnotherColumnThanItsKey() {
		assertThatThrownBy(() -> parse("""
				namespaces: {formulary: integer}
				tags: {hospital: integer}
				tables:
				  formulary_item:
				    keys: [{key: "formulary:{hospital_id}", tags: ["hospital:{id}"]}]
				""")).isInstanceOf(RulesException.class).hasMessageContaining("only the key's column");
	}

	@Test
	void shouldRefuseUnknownSettingsAndBadTypes() {
		assertThatThrownBy(() -> parse("""
				namespaces: {patient: integer}
				tables:
				  patient:
				    keys: [{key: "patient:{id}", flor: version}]
				""")).isInstanceOf(RulesException.class).hasMessageContaining("flor");
		assertThatThrownBy(() -> parse("""
				namespaces: {patient: bigint}
				tables: {}
				""")).isInstanceOf(RulesException.class).hasMessageContaining("namespace 'patient'");
	}

	@ParameterizedTest
	@ValueSource(strings = { "tag", "watermark" })
	void shouldReserveTheNamespacesOfProtocolState(String name) {
		assertThatThrownBy(() -> parse("namespaces: {" + name + ": integer}\ntables: {}\n"))
			.isInstanceOf(RulesException.class)
			.hasMessageContaining("namespace '" + name + "' is reserved");
	}

	private static RuleSet parse(String yaml) {
		return RuleSet.parse(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)), "test.yml");
	}
}
