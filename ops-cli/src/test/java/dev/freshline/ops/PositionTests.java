package dev.freshline.ops;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PositionTests {

	private final Clock clock = Clock.fixed(Instant.parse("2026-11-27T01:00:00Z"), ZoneOffset.UTC);

	@Test
	void shouldReadEveryFormAnOperatorWrites() {
		assertThat(Position.parse("--from", "earliest", this.clock)).isEqualTo(new Position.Earliest());
		assertThat(Position.parse("--from", "42", this.clock)).isEqualTo(new Position.Offset(42));
		assertThat(Position.parse("--from", "2026-11-27T00:30:00Z", this.clock))
			.isEqualTo(new Position.Time(Instant.parse("2026-11-27T00:30:00Z")));
		assertThat(Position.parse("--from", "2026-11-27T01:30:00+01:00", this.clock))
			.isEqualTo(new Position.Time(Instant.parse("2026-11-27T00:30:00Z")));
		assertThat(Position.parse("--from", "PT15M", this.clock))
			.isEqualTo(new Position.Time(Instant.parse("2026-11-27T00:45:00Z")));
	}

	@Test
	void shouldRefuseATimeWithoutZoneAMalformedOffsetAndANegativeDuration() {
		assertThatThrownBy(() -> Position.parse("--from", "2026-11-27T00:30:00", this.clock)).isInstanceOf(OpsException.class)
			.hasMessage("malformed --from '2026-11-27T00:30:00': a time needs its zone, e.g. 2026-11-27T00:30:00Z for UTC");
		for (String text : new String[] { "12abc", "-1", "-PT5M", "" }) {
			assertThatThrownBy(() -> Position.parse("--from", text, this.clock)).isInstanceOf(OpsException.class)
				.hasMessageStartingWith("malformed --from '" + text + "'");
		}
		assertThatThrownBy(() -> Position.parseOffset("--to-offset", "PT5M")).isInstanceOf(OpsException.class)
			.hasMessageStartingWith("malformed --to-offset 'PT5M'");
	}
}
