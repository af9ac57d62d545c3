package dev.freshline.bench;

import java.util.Locale;

/** Progress lines while the bench (or chaos) runs, stamped with the seconds since it started. */
public final class BenchProgress {

	private final long started = System.nanoTime();

	private final String tool;

	BenchProgress() {
		this("bench");
	}

	/** Lines stamped {@code [<tool> 12.3s]}. */
	public BenchProgress(String tool) {
		this.tool = tool;
	}

	public void line(String format, Object... arguments) {
		System.out.printf(Locale.ROOT, "[%s %5.1fs] %s%n", this.tool, (System.nanoTime() - this.started) / 1e9,
				String.format(Locale.ROOT, format, arguments));
		System.out.flush();
	}
}
