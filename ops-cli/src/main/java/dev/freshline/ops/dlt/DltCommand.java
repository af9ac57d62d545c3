package dev.freshline.ops.dlt;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** The parent of {@code dlt list} and {@code dlt redrive}. */
@Command(name = "dlt", mixinStandardHelpOptions = true,
		description = "Show (list) or re-apply (redrive) the records the invalidator dead-lettered.",
		subcommands = { DltListCommand.class, DltRedriveCommand.class })
public final class DltCommand implements Runnable {

	@Spec
	CommandSpec spec;

	@Override
	public void run() {
		this.spec.commandLine().usage(this.spec.commandLine().getOut());
	}
}
