package dev.freshline.api.freshness;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Postgres' clock as seen from this host. A watermark's time is a commit time by Postgres'
 * clock, so its age must be measured by that clock, not this host's: the offset between the two
 * is measured by asking Postgres for {@code clock_timestamp()} and taking the midpoint of the
 * round trip, keeping the sample with the shortest round trip (its error is at most half of it).
 */
final class PostgresClock {

	private static final Logger log = LoggerFactory.getLogger(PostgresClock.class);

	private static final int SAMPLES = 3;

	private final JdbcClient jdbc;

	private volatile long offsetMillis;

	private volatile long uncertaintyMillis = -1;

	PostgresClock(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	/** Now, by Postgres' clock, in epoch milliseconds. */
	long now() {
		return System.currentTimeMillis() + this.offsetMillis;
	}

	/** Postgres' clock minus this host's. */
	long offsetMillis() {
		return this.offsetMillis;
	}

	/** Half the round trip of the sample the offset came from; -1 before the first sync. */
	long uncertaintyMillis() {
		return this.uncertaintyMillis;
	}

	/** Measures the offset again; a failure keeps the last one (clocks drift slowly). */
	void sync() {
		long bestRoundTrip = Long.MAX_VALUE;
		long bestOffset = 0;
		try {
			for (int i = 0; i < SAMPLES; i++) {
				long sentNanos = System.nanoTime();
				long sentMillis = System.currentTimeMillis();
				long postgres = this.jdbc.sql("SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint")
					.query(Long.class)
					.single();
				long roundTrip = System.nanoTime() - sentNanos;
				if (roundTrip < bestRoundTrip) {
					bestRoundTrip = roundTrip;
					bestOffset = postgres - (sentMillis + roundTrip / 2_000_000);
				}
			}
		}
		catch (RuntimeException ex) {
			if (bestRoundTrip == Long.MAX_VALUE) {
				log.debug("Could not read Postgres' clock ({}); keeping the offset {} ms", ex.toString(), this.offsetMillis);
				return;
			}
		}
		if (this.uncertaintyMillis < 0 || Math.abs(bestOffset - this.offsetMillis) > 100) {
			log.info("This host's clock is {} ms behind Postgres' (+/- {} ms)", bestOffset, bestRoundTrip / 2_000_000);
		}
		this.offsetMillis = bestOffset;
		this.uncertaintyMillis = bestRoundTrip / 2_000_000;
	}
}
