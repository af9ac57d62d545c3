package dev.freshline.launcher;

import java.nio.file.Path;

import dev.freshline.embedded.KafkaServer;
import dev.freshline.embedded.KafkaUsers;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * The local stack's Kafka broker as a process of its own, so that a harness can kill, pause and
 * restart it like any server, and the launcher's supervisor restarts it on the same ports with
 * the same log directory (topics, committed offsets and cluster id survive). Arguments: log
 * directory, broker port, controller port, and optionally the port to advertise to clients (a
 * fault proxy's; the broker port by default), or, for one node of a replicated cluster, its id,
 * the cluster id and every node's ports. Clients log in with SASL/SCRAM as the users whose
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
		boolean node = args.length == 5 && args[1].equals("--node");
		if (!node && args.length != 3 && args.length != 4) {
			System.err.println("usage: KafkaBroker <log directory> <broker port> <controller port> [<advertised port>]");
			System.err.println("       KafkaBroker <log directory> --node <id> <cluster id> <id:broker port:controller port,...>");
			System.exit(2);
		}
		// Ctrl-C in a terminal reaches every process of its group, this one too: the launcher stops
		// the broker (SIGTERM) only after the services, which still flush to it while they stop
		Signal.handle(new Signal("INT"), SignalHandler.SIG_IGN);
		KafkaUsers users = LocalKafkaUsers.fromEnvironment(System.getenv()).brokerSpec(System.getenv());
		KafkaServer kafka;
		if (node) {
			// one node of a replicated cluster (the launcher's FRESHLINE_LOCAL_CLUSTER): its start
			// returns once a majority of the nodes, started beside it, is up
			kafka = KafkaServer.resumeSecuredNode(Path.of(args[0]), args[3], KafkaServer.Node.parseAll(args[4]),
					Integer.parseInt(args[2]), users);
		}
		else {
			int brokerPort = Integer.parseInt(args[1]);
			int advertisedPort = (args.length == 4) ? Integer.parseInt(args[3]) : brokerPort;
			kafka = KafkaServer.resumeSecured(Path.of(args[0]), brokerPort, Integer.parseInt(args[2]), advertisedPort, users);
		}
		// the broker's threads are not daemons: this JVM runs until SIGTERM (or SIGKILL)
		System.out.println(READY + kafka.bootstrapServers());
	}
}
