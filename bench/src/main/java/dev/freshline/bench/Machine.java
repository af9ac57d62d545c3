package dev.freshline.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.locks.LockSupport;

/** The machine the figures were taken on, and CPU use of a process read from /proc. */
public record Machine(int cores, double memoryGiB, String jdk, String os, String loadAverage) {

	public static Machine current() {
		var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
		return new Machine(Runtime.getRuntime().availableProcessors(), os.getTotalMemorySize() / (1024.0 * 1024 * 1024),
				System.getProperty("java.vm.name") + " " + Runtime.version(),
				System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"),
				loadAverageNow());
	}

	public String line() {
		return String.format(Locale.ROOT, "%d cores, %.1f GiB, %s, %s, load average at start %s", this.cores,
				this.memoryGiB, this.jdk, this.os, this.loadAverage);
	}

	/**
	 * The line {@code scripts/bench-replay} prints, from the same data as {@link #line()} but in its own
	 * format: docs/ops-runbook.md quotes its figures under this line.
	 */
	String replayLine() {
		// memoryGiB times 2^30 is the byte count again, exactly, so GB here are the bytes / 1e9
		return String.format(Locale.ROOT, "Machine: %d cores, %.1f GB memory, %s %s, JDK %s (%s), max heap of the tool: default",
				this.cores, this.memoryGiB * (1024.0 * 1024 * 1024) / 1e9, System.getProperty("os.name"),
				System.getProperty("os.arch"), Runtime.version(), System.getProperty("java.vm.name"));
	}

	/** The 1, 5 and 15 minute load averages, or "unknown" without /proc. */
	static String loadAverageNow() {
		String[] fields = loadavg().split(" ");
		return (fields.length < 3) ? fields[0] : fields[0] + " " + fields[1] + " " + fields[2];
	}

	/**
	 * /proc/loadavg as the kernel writes it: the three load averages, runnable/total tasks and the
	 * last pid, or "unknown" without /proc.
	 */
	static String loadavg() {
		try {
			return Files.readString(Path.of("/proc/loadavg")).strip();
		}
		catch (IOException ex) {
			return "unknown";
		}
	}

	/** Cores the process used over the window: utime + stime from /proc, in clock ticks (100/s). */
	static double cpuCores(long pid, Duration window) throws IOException {
		long before = cpuTicks(pid);
		long started = System.nanoTime();
		LockSupport.parkNanos(window.toNanos());
		long after = cpuTicks(pid);
		return (after - before) / 100.0 / ((System.nanoTime() - started) / 1e9);
	}

	private static long cpuTicks(long pid) throws IOException {
		return ticks(Files.readString(Path.of("/proc", Long.toString(pid), "stat")), false);
	}

	/**
	 * utime + stime of a /proc/PID/stat line, plus cutime + cstime (the children it has waited for,
	 * and theirs) when {@code reaped}.
	 */
	static long ticks(String stat, boolean reaped) {
		// the fields after the command name, which is in parentheses and may contain spaces
		String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
		long own = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
		return reaped ? own + Long.parseLong(fields[13]) + Long.parseLong(fields[14]) : own;
	}

	/**
	 * CPU clock ticks of a process and all its descendants, the exited ones included: Postgres
	 * forks a backend per connection, and one that exits before the sample (the bench's writers
	 * disconnect as a step ends) would take its CPU with it. The postmaster reaps its backends, so
	 * their time moves into its cutime + cstime as they exit.
	 */
	static long treeTicks(long pid) {
		return treeTicks(pid, true);
	}

	static long treeTicks(long pid, boolean descendants) {
		long ticks = 0;
		try {
			ticks += ticks(Files.readString(Path.of("/proc", Long.toString(pid), "stat")), descendants);
		}
		catch (IOException | RuntimeException gone) {
			return 0;
		}
		if (!descendants) {
			return ticks;
		}
		for (long child : ProcessHandle.of(pid).map((handle) -> handle.descendants().mapToLong(ProcessHandle::pid).toArray())
			.orElse(new long[0])) {
			try {
				ticks += cpuTicks(child);
			}
			catch (IOException | RuntimeException gone) {
				// exited between listing and reading
			}
		}
		return ticks;
	}

	/** Busy clock ticks of the whole machine (all CPUs, every process): /proc/stat less idle and iowait. */
	static long busyTicks() {
		try {
			String[] fields = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
			long busy = 0;
			for (int i = 1; i < Math.min(fields.length, 9); i++) {
				if (i != 4 && i != 5) {
					busy += Long.parseLong(fields[i]);
				}
			}
			return busy;
		}
		catch (IOException | RuntimeException ex) {
			return 0;
		}
	}
}
