package dev.freshline.bench;

import java.util.LinkedHashMap;
import java.util.Map;

/** Cores each component used over a window, so a missed goal can name the saturated resource. */
final class CpuUse {

	static final String MACHINE = "machine";

	private final long machineBefore;

	private final Map<String, Long> pids;

	private final Map<String, Long> before = new LinkedHashMap<>();

	private final long started;

	private double seconds = Double.NaN;

	private CpuUse(Map<String, Long> pids) {
		this.pids = pids;
		pids.forEach((name, pid) -> this.before.put(name, ticks(name, pid)));
		this.machineBefore = Machine.busyTicks();
		this.started = System.nanoTime();
	}

	static CpuUse start(Map<String, Long> pids) {
		return new CpuUse(pids);
	}

	Map<String, Double> stop() {
		double seconds = (System.nanoTime() - this.started) / 1e9;
		this.seconds = seconds;
		Map<String, Double> cores = new LinkedHashMap<>();
		this.pids.forEach((name, pid) -> cores.put(name, (ticks(name, pid) - this.before.get(name)) / 100.0 / seconds));
		cores.put(MACHINE, (Machine.busyTicks() - this.machineBefore) / 100.0 / seconds);
		return cores;
	}

	/** How long the window lasted, once {@link #stop()} ended it. */
	double seconds() {
		return this.seconds;
	}

	/**
	 * Postgres with its backends (one forked process per connection); every other component alone,
	 * since the launcher and the bench are parents of the rest and would count them twice.
	 */
	private static long ticks(String name, long pid) {
		return name.equals("postgres") ? Machine.treeTicks(pid) : Machine.treeTicks(pid, false);
	}
}
