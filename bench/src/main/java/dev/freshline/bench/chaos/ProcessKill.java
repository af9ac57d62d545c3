package dev.freshline.bench.chaos;

import java.util.Optional;

import org.jspecify.annotations.Nullable;

import dev.freshline.bench.Signals;

/**
 * SIGKILL of one process of the stack, which the launcher's supervisor restarts on the same port.
 * Verified by the launcher's own line saying the process is healthy again.
 */
final class ProcessKill implements Fault {

	private final String process;

	private final String what;

	private long outputBefore;

	private Optional<String> restarted = Optional.empty();

	ProcessKill(String process, String what) {
		this.process = process;
		this.what = what;
	}

	@Override
	public String description() {
		return "SIGKILL of " + this.what;
	}

	@Override
	public void inject(ChaosContext context) throws Exception {
		this.outputBefore = context.launcherOutputSize();
		long pid = context.stack().pid(this.process);
		Signals.send("KILL", pid);
		context.progress().line("  kill -KILL %d (%s)", pid, this.process);
	}

	@Override
	public int faultedInstance() {
		return switch (this.process) {
			case "api-1" -> 0;
			case "api-2" -> 1;
			default -> -1;
		};
	}

	@Override
	public boolean over(ChaosContext context) throws Exception {
		if (this.restarted.isEmpty()) {
			this.restarted = context.restartLine(this.process, this.outputBefore);
			this.restarted.ifPresent((line) -> context.progress().line("  launcher: %s", line));
		}
		return this.restarted.isPresent();
	}

	@Override
	public @Nullable String verify(ChaosContext context) throws Exception {
		return over(context) ? null : "the launcher did not report " + this.process + " restarted and healthy again";
	}
}
