package dev.freshline.ops;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;

import dev.freshline.ops.dlt.DltCommand;
import dev.freshline.ops.flush.FlushCommand;
import dev.freshline.ops.group.ResetGroupCommand;
import dev.freshline.ops.inspect.InspectCommand;
import dev.freshline.ops.replay.ReplayCommand;
import dev.freshline.ops.resnapshot.ResnapshotCommand;

/**
 * The entry point of {@code scripts/ops}. Holds what the commands need from the process (the
 * environment, the Freshline home that contains {@code .freshline/local-stack.json}, a clock,
 * whether stdout is a terminal) so tests can run every command in-process with their own.
 */
@Command(name = "ops", mixinStandardHelpOptions = true, version = "freshline ops 0.1.0",
		description = "Repair the Freshline cache: replay change topics, flush namespaces or tags, "
				+ "inspect and redrive dead letters, move the invalidator's consumer group, re-snapshot a table, "
				+ "check the cache against Postgres.",
		subcommands = { ReplayCommand.class, FlushCommand.class, DltCommand.class, ResetGroupCommand.class,
				ResnapshotCommand.class, InspectCommand.class },
		footer = { "", "Exit codes: 0 done, 1 failed while running (see the message), 2 refused: bad input "
				+ "or an unsafe state, nothing was changed." })
public final class Ops implements Runnable {

	/** Failed while running: Redis or Kafka failed, or some records could not be applied. */
	public static final int FAILED = 1;

	/** Refused before changing anything: bad input or an unsafe state. */
	public static final int REFUSED = 2;

	private final Map<String, String> environment;

	private final Path home;

	private final Clock clock;

	private final boolean terminal;

	@CommandLine.Spec
	private CommandSpec spec;

	public Ops(Map<String, String> environment, Path home, Clock clock, boolean terminal) {
		this.environment = Map.copyOf(environment);
		this.home = home;
		this.clock = clock;
		this.terminal = terminal;
	}

	public static void main(String[] args) {
		Path home = Path.of(System.getProperty("freshline.home", "."));
		Ops ops = new Ops(System.getenv(), home, Clock.systemUTC(), System.console() != null);
		PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
		PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
		System.exit(ops.execute(out, err, args));
	}

	/** Runs one command line and returns its exit code; never calls {@link System#exit}. */
	public int execute(PrintWriter out, PrintWriter err, String... args) {
		CommandLine commandLine = new CommandLine(this);
		commandLine.setOut(out);
		commandLine.setErr(err);
		commandLine.setExitCodeExceptionMapper((ex) -> (ex instanceof OpsException) ? REFUSED : FAILED);
		commandLine.setExecutionExceptionHandler((ex, line, parseResult) -> {
			if (ex instanceof OpsException) {
				err.println(line.getCommandSpec().qualifiedName() + ": " + ex.getMessage());
				return REFUSED;
			}
			// one line for the operator; the stack trace only when asked for (OPS_LOG_LEVEL=DEBUG)
			err.println(line.getCommandSpec().qualifiedName() + ": failed: " + describe(ex));
			org.slf4j.LoggerFactory.getLogger(Ops.class).debug("Command failed", ex);
			return FAILED;
		});
		try {
			return commandLine.execute(args);
		}
		finally {
			out.flush();
			err.flush();
		}
	}

	static String describe(Throwable ex) {
		Throwable cause = ex;
		while (cause.getCause() != null && cause.getCause() != cause) {
			cause = cause.getCause();
		}
		String message = (cause.getMessage() != null) ? cause.getMessage() : cause.getClass().getSimpleName();
		return (cause == ex) ? message : ex.getMessage() + " (" + message + ")";
	}

	@Override
	public void run() {
		this.spec.commandLine().usage(this.spec.commandLine().getOut());
	}

	/** The {@link Ops} behind any command of this tool. */
	public static Ops of(CommandSpec command) {
		return (Ops) command.root().userObject();
	}

	public Map<String, String> environment() {
		return this.environment;
	}

	public Path home() {
		return this.home;
	}

	public Clock clock() {
		return this.clock;
	}

	public boolean terminal() {
		return this.terminal;
	}
}
