package dev.freshline.ops.resnapshot;

import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.freshline.ops.Ops;
import dev.freshline.ops.OpsFixture;
import dev.freshline.ops.OpsFixture.Run;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code ops resnapshot} against the real shared Redis, for what needs no connector: Postgres is
 * reached before anything is flushed, so a resnapshot that cannot send its signal changes nothing.
 * The flush and the snapshot themselves are tested against the whole pipeline in system-tests.
 */
class ResnapshotCommandIntegrationTests {

	/** Nothing listens on port 1: the connection is refused at once. */
	private static final String UNREACHABLE = "jdbc:postgresql://127.0.0.1:1/freshline";

	private final OpsFixture fixture = new OpsFixture();

	@AfterEach
	void cleanUp() {
		this.fixture.close();
	}

	@Test
	void shouldFlushNothingWhenPostgresCannotBeReached() {
		this.fixture.redis.opsForValue().set(this.fixture.keys.patient(1), "cached");
		this.fixture.redis.opsForValue().set(this.fixture.keys.floor(this.fixture.keys.patient(1)), "3");
		Map<String, String> before = this.fixture.snapshot();

		Run run = this.fixture.ops("resnapshot", "--table", "patient", "--jdbc-url", UNREACHABLE);

		assertThat(run.exitCode()).as(run.out()).isEqualTo(Ops.FAILED);
		assertThat(run.err()).contains("cannot signal the connector");
		assertThat(run.out()).doesNotContain("Flushing");
		assertThat(this.fixture.snapshot()).isEqualTo(before);
	}
}
