package dev.freshline.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.locks.LockSupport;

/**
 * Time to visible: a raw SQL update commits (a writer the API knows nothing about), and one client
 * reads the patient on api-2 back to back; the figure is commit -> the first response carrying the
 * new version. The entry is cached on api-1 before each write, so the read can only turn fresh
 * through the change stream's delete. Resolution is one read round trip.
 */
final class TimeToVisible {

	private final StackProcess stack;

	private final BenchHttp http;

	TimeToVisible(StackProcess stack, BenchHttp http) {
		this.stack = stack;
		this.http = http;
	}

	record Figures(Percentiles visibleMs, int timedOut) {
	}

	Figures run(int samples) throws Exception {
		double[] visible = new double[samples];
		int seen = 0;
		String reader = this.stack.api(1);
		try (Connection sql = DriverManager.getConnection(this.stack.jdbcUrl(), this.stack.databaseUser(),
				this.stack.databasePassword());
				PatientTouch update = new PatientTouch(sql)) {
			for (int s = 0; s < samples; s++) {
				long id = 1500 + s % 1000;
				this.http.get(this.stack.api(0) + "/patients/" + id);
				long version = update.touch(id);
				long committed = System.nanoTime();
				long deadline = committed + Duration.ofSeconds(10).toNanos();
				while (System.nanoTime() < deadline) {
					String body = this.http.get(reader + "/patients/" + id).body();
					if (BenchHttp.version(body) >= version) {
						visible[seen++] = (System.nanoTime() - committed) / 1e6;
						break;
					}
				}
				LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
			}
		}
		return new Figures(Percentiles.of(Arrays.copyOf(visible, seen)), samples - seen);
	}
}
