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
	void shouldRejectNonPositiveIds() {
		assertThatThrownBy(() -> this.keys.patient(0)).isInstanceOf(InvalidIdException.class);
	}
}
