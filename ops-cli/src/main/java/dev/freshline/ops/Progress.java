package dev.freshline.ops;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;

/**
 * Progress of a long command: on a terminal, one redrawn bar with rate and ETA; otherwise (a
 * pipe, a CI log) a plain line every interval, because carriage returns make logs unreadable.
 */
public final class Progress {

	private static final int BAR_WIDTH = 30;

	private static final long REDRAW_NANOS = Duration.ofMillis(200).toNanos();

	private final PrintWriter out;

	private final String label;

	private final String unit;

	private final long total;

	private final boolean terminal;

	private final long intervalNanos;

	private final long started = System.nanoTime();

	private long lastPrinted = this.started;

	private boolean drawn;

	/**
	 * @param total the expected count, or 0 when unknown (no percentage or ETA then)
	 * @param interval how often a plain line is printed when not on a terminal
	 */
	public Progress(PrintWriter out, String label, String unit, long total, boolean terminal, Duration interval) {
		this.out = out;
		this.label = label;
		this.unit = unit;
		this.total = total;
		this.terminal = terminal;
		this.intervalNanos = interval.toNanos();
	}

	public void update(long done) {
		long now = System.nanoTime();
		if (now - this.lastPrinted < (this.terminal ? REDRAW_NANOS : this.intervalNanos)) {
			return;
		}
		this.lastPrinted = now;
		if (this.terminal) {
			this.out.print("\r" + line(done, now, true) + "  ");
			this.drawn = true;
		}
		else {
			this.out.println(line(done, now, false));
		}
		this.out.flush();
	}

	/** Ends the bar's line so what follows starts on its own. */
	public void finish(long done) {
		if (this.terminal) {
			this.out.println("\r" + line(done, System.nanoTime(), true) + "  ");
		}
		else if (this.drawn) {
			this.out.println();
		}
		this.out.flush();
	}

	/** Events per second since the start. */
	public double rate(long done) {
		double seconds = Math.max(1e-9, (System.nanoTime() - this.started) / 1e9);
		return done / seconds;
	}

	public Duration elapsed() {
		return Duration.ofNanos(System.nanoTime() - this.started);
	}

	private String line(long done, long now, boolean bar) {
		double seconds = Math.max(1e-9, (now - this.started) / 1e9);
		double rate = done / seconds;
		StringBuilder line = new StringBuilder(this.label).append(' ');
		if (this.total > 0) {
			double fraction = Math.min(1.0, (double) done / this.total);
			if (bar) {
				int filled = (int) Math.round(fraction * BAR_WIDTH);
				line.append('[').append("#".repeat(filled)).append(".".repeat(BAR_WIDTH - filled)).append("] ");
			}
			line.append(String.format(Locale.ROOT, "%3.0f%% %,d/%,d %s", fraction * 100, done, this.total, this.unit));
		}
		else {
			line.append(String.format(Locale.ROOT, "%,d %s", done, this.unit));
		}
		line.append(String.format(Locale.ROOT, ", %,.0f/s", rate));
		if (this.total > 0 && rate > 0 && done < this.total) {
			line.append(", ETA ").append(duration((long) ((this.total - done) / rate)));
		}
		return line.toString();
	}

	public static String duration(long seconds) {
		return (seconds >= 3600) ? String.format(Locale.ROOT, "%dh%02dm", seconds / 3600, (seconds % 3600) / 60)
				: (seconds >= 60) ? String.format(Locale.ROOT, "%dm%02ds", seconds / 60, seconds % 60) : seconds + "s";
	}
}
