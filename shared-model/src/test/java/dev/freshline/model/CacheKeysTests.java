package dev.freshline.model;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CacheKeysTests {

	private final CacheKeys keys = new CacheKeys("freshline");

	@Test
	void shouldPutTheIdInAHashTag() {
		assertThat(this.keys.patient(42)).isEqualTo("freshline:patient:{42}");
		assertThat(this.keys.formulary(7)).isEqualTo("freshline:formulary:{7}");
	}

	@Test
	void shouldPlaceEachClusterPrimarysLifetimeRecordByItsHashTagAndKeepItOutOfEveryNamespace() {
		assertThat(this.keys.serverLifetime("17")).isEqualTo("freshline:redis-run-id:{17}");
		assertThat(this.keys.isServerLifetime(this.keys.serverLifetime())).isTrue();
		assertThat(this.keys.isServerLifetime(this.keys.serverLifetime("17"))).isTrue();
		assertThat(this.keys.isServerLifetime(this.keys.patient(17))).isFalse();
		assertThat(this.keys.isServerLifetime("freshline:redis-run-id:other")).isFalse();
		for (Namespace namespace : new Namespace[] { Namespace.PATIENT, Namespace.WARD, Namespace.FORMULARY }) {
			assertThat(this.keys.serverLifetime("17")).doesNotStartWith(this.keys.namespacePattern(namespace).replace("*", ""));
		}
	}

	@Test
	void shouldBuildScanPatternsFromConfigurationOnly() {
		assertThat(this.keys.namespacePattern(Namespace.FORMULARY)).isEqualTo("freshline:formulary:*");
	}

	@Test
	void shouldRejectPrefixesThatWouldBreakTheKeyGrammar() {
		assertThatThrownBy(() -> new CacheKeys("a:b")).isInstanceOf(IllegalArgumentException.class);
		assertThatThrownBy(() -> new CacheKeys("a*")).isInstanceOf(IllegalArgumentException.class);
		assertThatThrownBy(() -> new CacheKeys("")).isInstanceOf(IllegalArgumentException.class);
	}

	@Test
	void shouldNameTheNamespaceOfEveryKeyItBuilds() {
		String key = this.keys.patient(42);

		assertThat(this.keys.namespaceOf(key)).isEqualTo(Namespace.PATIENT);
		assertThat(this.keys.namespaceOf(this.keys.lease(key))).isEqualTo(Namespace.PATIENT);
		assertThat(this.keys.namespaceOf(this.keys.floor(this.keys.formulary(7)))).isEqualTo(Namespace.FORMULARY);
		assertThat(this.keys.namespaceOf(this.keys.key(Namespace.WARD, "ward-a"))).isEqualTo(Namespace.WARD);
	}

	@Test
	void shouldRefuseTheNamespaceOfAKeyOfAnotherPrefix() {
		assertThatThrownBy(() -> this.keys.namespaceOf("other:patient:{1}")).isInstanceOf(IllegalArgumentException.class);
		assertThatThrownBy(() -> this.keys.namespaceOf("freshline:patient")).isInstanceOf(IllegalArgumentException.class);
	}

	@Test
	void shouldRejectNonPositiveIds() {
		assertThatThrownBy(() -> this.keys.patient(0)).isInstanceOf(InvalidIdException.class);
	}
}
