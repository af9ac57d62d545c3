package dev.freshline.bench.chaos;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class PostgresRestartTests {

	@Test
	void shouldReadTheBinaryAndEveryQuotedArgumentOfPostmasterOpts() {
		// as Postgres 17 writes it: the binary bare, each argument quoted
		String opts = "/tmp/embedded-pg/PG-1/bin/postgres \"-D\" \"/work/state dir/run/postgres\" \"-p\" \"44637\" \"-F\" "
				+ "\"-c\" \"wal_level=logical\"\n";

		assertThat(PostgresRestart.commandLine(opts)).containsExactly("/tmp/embedded-pg/PG-1/bin/postgres", "-D",
				"/work/state dir/run/postgres", "-p", "44637", "-F", "-c", "wal_level=logical");
	}

	@Test
	void shouldExcuseA5xxInFlightDuringTheOutageAndNothingElse() {
		PostgresRestart restart = new PostgresRestart(true);
		long injected = 1_000;
		long ended = 2_000;

		assertThat(restart.excuses(read(500, 900, 1_100), injected, ended)).as("cut off by the shutdown").isTrue();
		assertThat(restart.excuses(read(500, 1_500, 1_600), injected, ended)).as("during the outage").isTrue();
		assertThat(restart.excuses(read(500, 1_900, 2_500), injected, ended)).as("started before the restart").isTrue();
		assertThat(restart.excuses(read(500, 100, 900), injected, ended)).as("over before the fault").isFalse();
		assertThat(restart.excuses(read(500, 2_100, 2_200), injected, ended)).as("after the restart").isFalse();
		assertThat(restart.excuses(read(200, 1_500, 1_600), injected, ended)).as("answered").isFalse();
	}

	private static ChaosLoad.Read read(int status, long startNanos, long endNanos) {
		return new ChaosLoad.Read(0, "patient", 42, status, 1, startNanos, endNanos, "miss");
	}
}
