package dev.freshline.bench.chaos;

import java.time.Duration;

import dev.freshline.bench.ServiceCopy;

/**
 * A rebalance storm: an extra invalidator joins the group and leaves it again (SIGTERM, a clean
 * leave), over and over for the fault's duration; every join and leave moves partitions, and a
 * consumer's uncommitted records are re-read by the next owner. A JVM needs about 10 s to start
 * on two cores, so "every few seconds" is as often as one can start.
 */
final class RebalanceStorm implements Fault {

	private final Duration duration;

	private int rounds;

	RebalanceStorm(Duration duration) {
		this.duration = duration;
	}

	@Override
	public String description() {
		return "rebalance storm: an extra invalidator started and stopped again and again for " + this.duration.toSeconds() + " s";
	}

	@Override
	public void inject(ChaosContext context) throws Exception {
		long until = System.nanoTime() + this.duration.toNanos();
		while (System.nanoTime() < until) {
			try (ServiceCopy extra = ExtraInvalidator.start(context, "invalidator-storm")) {
				this.rounds++;
			}
		}
		context.progress().line("  %d joins and leaves", this.rounds);
	}
}
