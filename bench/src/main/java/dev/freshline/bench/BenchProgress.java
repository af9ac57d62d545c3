package dev.freshline.bench;

import java.util.Locale;

/** Progress lines while the bench runs, stamped with the seconds since it started. */
final class BenchProgress {

	private final long started = System.nanoTime();

	void line(String format, Object... arguments) {
		System.out.printf(Locale.ROOT, "[bench %5.1fs] %s%n", (System.nanoTime() - this.started) / 1e9,
				String.format(Locale.ROOT, format, arguments));
		System.out.flush();
	}
}
