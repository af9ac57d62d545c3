package dev.freshline.bench;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import java.util.function.ToDoubleFunction;

/**
 * What the consistency inspector costs the invalidator: 1,000 updates/s steps with the
 * stack's own invalidator inspecting every change and then paused (its {@code /actuator/inspector}
 * switch), in alternating windows (on-off, then off-on, ...) so that drift in the machine's load
 * falls on both sides alike, in one process whose JIT and heap are the same for both. Each window
 * records the invalidator's CPU per change event and the step's commit-to-delete lag, and the
 * inspector's {@code checked} count, which proves the switch took: an "on" window reads back about
 * every change's keys, an "off" window none. Each window lasts until its last read-backs are done
 * (a grace after its last change), on both sides alike, so their CPU is counted where it belongs.
 */
final class InspectorCost {

	static final int RATE = 1000;

	/** The inspector's default grace and then some: its last read-backs are due within it. */
	private static final Duration SETTLE = Duration.ofMillis(1500);

	/** How long the read-back count must stay unchanged before a window ends. */
	private static final Duration QUIET = Duration.ofMillis(500);

	private static final Duration POLL = Duration.ofMillis(100);

	record Window(int round, boolean inspecting, int updates, double usPerEvent, double invalidatorCores,
			Percentiles lagMs, double checked) {
	}

	record Figures(int rate, List<Window> windows, double onUsPerEvent, double offUsPerEvent, double onLagP50Ms,
			double offLagP50Ms, double onLagP99Ms, double offLagP99Ms) {

		/** Extra µs of invalidator CPU per change event with the inspector on. */
		double usPerEventCost() {
			return this.onUsPerEvent - this.offUsPerEvent;
		}
	}

	private final StackProcess stack;

	private final BenchHttp http;

	InspectorCost(StackProcess stack, BenchHttp http) {
		this.stack = stack;
		this.http = http;
	}

	Figures run(LagStep step, int rounds, Duration duration, BenchProgress progress) throws Exception {
		String management = this.stack.management("invalidator");
		long invalidator = this.stack.pid("invalidator");
		List<Window> windows = new ArrayList<>();
		try {
			for (int round = 1; round <= rounds; round++) {
				boolean onFirst = round % 2 == 1;
				for (boolean inspecting : onFirst ? new boolean[] { true, false } : new boolean[] { false, true }) {
					switchTo(management, inspecting);
					double checkedBefore = this.http.counter(management, "freshline.inspector.checked");
					CpuUse cpu = CpuUse.start(Map.of("invalidator", invalidator));
					LagResult lag = step.run("inspector-" + (inspecting ? "on" : "off") + "-" + round, RATE, duration);
					settle(management);
					double cores = cpu.stop().get("invalidator");
					double checked = this.http.counter(management, "freshline.inspector.checked") - checkedBefore;
					Window window = new Window(round, inspecting, lag.updates(), cores * cpu.seconds() * 1e6 / lag.updates(),
							cores, lag.lagMs(), checked);
					windows.add(window);
					progress.line("  round %d, inspector %s: invalidator %.1f µs per event (%.2f cores), lag p50 %.1f ms, p99 %.1f ms, %.0f keys read back",
							round, inspecting ? "on" : "off", window.usPerEvent(), cores, lag.lagMs().p50(), lag.lagMs().p99(),
							checked);
					verify(window);
				}
			}
		}
		finally {
			switchTo(management, true);
		}
		return new Figures(RATE, windows, mean(windows, true, Window::usPerEvent), mean(windows, false, Window::usPerEvent),
				mean(windows, true, (w) -> w.lagMs().p50()), mean(windows, false, (w) -> w.lagMs().p50()),
				mean(windows, true, (w) -> w.lagMs().p99()), mean(windows, false, (w) -> w.lagMs().p99()));
	}

	/**
	 * Waits, on both sides alike, for the read-backs of the window's last changes: they fall due a
	 * grace after those were applied, and their CPU belongs to this window, not to the next.
	 */
	private void settle(String management) {
		long earliest = System.nanoTime() + SETTLE.toNanos();
		double checked = this.http.counter(management, "freshline.inspector.checked");
		long unchangedSince = System.nanoTime();
		while (System.nanoTime() < earliest || System.nanoTime() - unchangedSince < QUIET.toNanos()) {
			LockSupport.parkNanos(POLL.toNanos());
			double now = this.http.counter(management, "freshline.inspector.checked");
			if (now != checked) {
				checked = now;
				unchangedSince = System.nanoTime();
			}
		}
	}

	/** A switch that did not take would make both sides measure the same thing: fail instead. */
	private static void verify(Window window) {
		if (window.inspecting() && !(window.checked() >= window.updates() / 2.0)) {
			throw new IllegalStateException("the inspector read back " + window.checked() + " keys for " + window.updates()
					+ " changes in round " + window.round() + ": it was not on");
		}
		if (!window.inspecting() && !(window.checked() <= window.updates() / 100.0)) {
			throw new IllegalStateException("the inspector read back " + window.checked() + " keys in round " + window.round()
					+ " while paused");
		}
	}

	private void switchTo(String management, boolean inspecting) throws Exception {
		HttpResponse<String> response = this.http.postJsonWithoutToken(management + "/actuator/inspector",
				"{\"active\":" + inspecting + "}");
		if (response.statusCode() != 200 || !response.body().contains("\"active\":" + inspecting)) {
			throw new IllegalStateException("the invalidator's inspector switch answered " + response.statusCode() + ": "
					+ response.body() + " (is `inspector` in MANAGEMENT_ENDPOINTS_WEB_EXPOSURE_INCLUDE?)");
		}
	}

	private static double mean(List<Window> windows, boolean inspecting, ToDoubleFunction<Window> figure) {
		return windows.stream().filter((w) -> w.inspecting() == inspecting).mapToDouble(figure).average().orElse(Double.NaN);
	}
}
