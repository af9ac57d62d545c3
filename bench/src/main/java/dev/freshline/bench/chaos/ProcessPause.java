package dev.freshline.bench.chaos;

import java.time.Duration;

import dev.freshline.bench.Signals;

/** SIGSTOP of one process for a while, then SIGCONT: a GC pause, a frozen VM, a debugger. */
final class ProcessPause implements Fault {

	private final String process;

	private final String what;

	private final Duration duration;

	private long pid;

	ProcessPause(String process, String what, Duration duration) {
		this.process = process;
		this.what = what;
		this.duration = duration;
	}

	@Override
	public String description() {
		return "SIGSTOP of " + this.what + " for " + this.duration.toSeconds() + " s, then SIGCONT";
	}

	@Override
	public void inject(ChaosContext context) throws Exception {
		this.pid = context.stack().pid(this.process);
		Signals.send("STOP", this.pid);
		context.progress().line("  kill -STOP %d (%s)", this.pid, this.process);
	}

	@Override
	public Duration duration() {
		return this.duration;
	}

	@Override
	public void end(ChaosContext context) throws Exception {
		Signals.send("CONT", this.pid);
		context.progress().line("  kill -CONT %d (%s)", this.pid, this.process);
	}

	@Override
	public int faultedInstance() {
		return this.process.equals("api-1") ? 0 : this.process.equals("api-2") ? 1 : -1;
	}
}
