package dev.freshline.ops.dlt;

import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import org.apache.kafka.common.TopicPartition;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import dev.freshline.ops.Clients;
import dev.freshline.ops.ConnectionOptions;
import dev.freshline.ops.Ops;
import dev.freshline.ops.Position;
import dev.freshline.ops.TextTable;
import dev.freshline.ops.TopicLog;

/** Lists dead letters with their origin and exception; payloads are never printed. */
@Command(name = "list", mixinStandardHelpOptions = true,
		description = "Show dead-lettered records: where each came from, the exception, and whether redrive passed it.")
public final class DltListCommand implements Callable<Integer> {

	private static final int MESSAGE_WIDTH = 100;

	@Mixin
	ConnectionOptions connection;

	@Option(names = "--from", paramLabel = "POSITION", defaultValue = "earliest",
			description = "earliest (default), an offset, an ISO-8601 time with zone, or a duration ago")
	String from;

	@Option(names = "--limit", paramLabel = "N", defaultValue = "100", description = "Records to print (default 100)")
	int limit;

	@Option(names = "--group", defaultValue = DltRedriveCommand.DEFAULT_GROUP,
			description = "The redrive group, to mark what it passed (default ${DEFAULT-VALUE})")
	String group;

	@Override
	public Integer call() {
		Ops ops = this.connection.ops();
		PrintWriter out = this.connection.out();
		String topic = this.connection.endpoints().topics().deadLetter();
		Position start = Position.parse("--from", this.from, ops.clock());
		try (Clients clients = this.connection.connect()) {
			TopicLog log = TopicLog.read(clients.admin(), topic);
			Map<TopicPartition, Long> starts = log.offsets("--from", start, ops.clock());
			Map<TopicPartition, Long> redriven = DltRedriveCommand.committed(clients, this.group);
			List<DeadLetter> letters = DeadLetters.read(clients, starts, log.offsets("--to", new Position.Latest(), ops.clock()));
			out.println(topic + ": " + log.records() + " records retained, " + letters.size() + " from " + start
					+ "; redrive group " + this.group + " at "
					+ (redriven.isEmpty() ? "nothing yet" : TopicLog.describe(redriven)));
			if (letters.isEmpty()) {
				return 0;
			}
			TextTable table = new TextTable("record", "time", "origin", "exception", "bytes", "redriven", "message");
			letters.stream().limit(this.limit).forEach((letter) -> {
				Long passed = redriven.get(new TopicPartition(topic, letter.partition()));
				table.row(letter.partition() + "@" + letter.offset(), letter.time(), letter.origin(), letter.exceptionName(),
						(letter.value() != null) ? letter.value().length : "null",
						(passed != null && letter.offset() < passed) ? "yes" : "no", shorten(letter.message()));
			});
			table.print(out);
			if (letters.size() > this.limit) {
				out.println("... " + (letters.size() - this.limit) + " more; use --from or --limit");
			}
			return 0;
		}
	}

	private static String shorten(String message) {
		if (message == null) {
			return "-";
		}
		String line = message.replaceAll("\\s+", " ");
		return (line.length() > MESSAGE_WIDTH) ? line.substring(0, MESSAGE_WIDTH - 3) + "..." : line;
	}
}
