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
}
