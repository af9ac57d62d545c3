package dev.freshline.bench.chaos;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.jspecify.annotations.Nullable;

import dev.freshline.bench.ServiceCopy;
import dev.freshline.embedded.GroupCatchUp;

/**
 * Two invalidators in the group, and the launcher's one SIGKILLed under load, in the middle of
 * whatever batch it applies: what it had not committed is re-read by whoever gets its partitions
 * next, its successor (a static member under the same instance id, back once the launcher has
 * restarted it) or the survivor (once Kafka expires the dead members, after the session timeout).
 */
final class PeerKill implements Fault {

	private final ProcessKill kill = new ProcessKill("invalidator", "the invalidator");

	private @Nullable ServiceCopy peer;

	@Override
	public String description() {
		return "two invalidators in the group (a copy of the launcher's, same consumers), the launcher's SIGKILLed mid-batch";
	}

	@Override
	public void inject(ChaosContext context) throws Exception {
		this.peer = ExtraInvalidator.start(context, "invalidator-peer");
		// the peer's join rebalanced the group; the kill comes once every partition is being applied again
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
		GroupCatchUp catchUp = context.probe().invalidatorCatchUp();
		while (!StackProbe.caughtUp(catchUp) && System.nanoTime() < deadline) {
			LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
		}
		this.kill.inject(context);
	}

	@Override
	public boolean over(ChaosContext context) throws Exception {
		return this.kill.over(context);
	}

	@Override
	public @Nullable String verify(ChaosContext context) throws Exception {
		return this.kill.verify(context);
	}

	@Override
	public void close() {
		if (this.peer != null) {
			this.peer.close();
		}
	}
}
