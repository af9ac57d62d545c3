package dev.freshline.launcher;

import java.nio.file.Path;

import dev.freshline.embedded.KafkaServer;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * The local stack's Kafka broker as a process of its own, so that a harness can kill, pause and
 * restart it like any server, and the launcher's supervisor restarts it on the same ports with
 * the same log directory (topics, committed offsets and cluster id survive). Arguments: log
 * directory, broker port, controller port, and optionally the port to advertise to clients (a
 * fault proxy's; the broker port by default). Clients log in with SASL/SCRAM as the users whose
 * passwords are in the environment ({@link LocalKafkaUsers}), never in the arguments. SIGTERM shuts
 * it down cleanly (a shutdown hook of {@link KafkaServer}); SIGINT is ignored.
 */
public final class KafkaBroker {

	/** Printed once the broker answers an admin client; the launcher waits for it in the log. */
	static final String READY = "Kafka broker ready on ";

	private KafkaBroker() {
	}

	public static void main(String[] args) {
		System.setProperty("logback.configurationFile", "freshline-kafka-logback.xml");
		if (args.length != 3 && args.length != 4) {
			System.err.println("usage: KafkaBroker <log directory> <broker port> <controller port> [<advertised port>]");
			System.exit(2);
		}
		// Ctrl-C in a terminal reaches every process of its group, this one too: the launcher stops
		// the broker (SIGTERM) only after the services, which still flush to it while they stop
		Signal.handle(new Signal("INT"), SignalHandler.SIG_IGN);
		int brokerPort = Integer.parseInt(args[1]);
		int advertisedPort = (args.length == 4) ? Integer.parseInt(args[3]) : brokerPort;
		KafkaServer kafka = KafkaServer.resumeSecured(Path.of(args[0]), brokerPort, Integer.parseInt(args[2]),
				advertisedPort, LocalKafkaUsers.fromEnvironment(System.getenv()).brokerSpec(System.getenv()));
		// the broker's threads are not daemons: this JVM runs until SIGTERM (or SIGKILL)
		System.out.println(READY + kafka.bootstrapServers());
	}
}
