package dev.freshline.launcher;

import java.nio.file.Path;

import dev.freshline.embedded.KafkaServer;

/**
 * The local stack's Kafka broker as a process of its own, so that a harness can kill, pause and
 * restart it like any server, and the launcher's supervisor restarts it on the same ports with
 * the same log directory (topics, committed offsets and cluster id survive). Arguments: log
 * directory, broker port, controller port. SIGTERM shuts it down cleanly (a shutdown hook of
 * {@link KafkaServer}).
 */
public final class KafkaBroker {

	/** Printed once the broker answers an admin client; the launcher waits for it in the log. */
	static final String READY = "Kafka broker ready on ";

	private KafkaBroker() {
	}

	public static void main(String[] args) {
		System.setProperty("logback.configurationFile", "freshline-kafka-logback.xml");
		if (args.length != 3) {
			System.err.println("usage: KafkaBroker <log directory> <broker port> <controller port>");
			System.exit(2);
		}
		KafkaServer kafka = KafkaServer.resume(Path.of(args[0]), Integer.parseInt(args[1]), Integer.parseInt(args[2]));
		// the broker's threads are not daemons: this JVM runs until SIGTERM (or SIGKILL)
		System.out.println(READY + kafka.bootstrapServers());
	}
}
