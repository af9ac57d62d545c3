package dev.freshline.ops.replay;

import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.kafka.common.TopicPartition;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import dev.freshline.ops.ChangeTopic;
import dev.freshline.ops.Clients;
import dev.freshline.ops.ConnectionOptions;
import dev.freshline.ops.Endpoints;
import dev.freshline.ops.Ops;
import dev.freshline.ops.OpsException;
import dev.freshline.ops.Position;
import dev.freshline.ops.TopicLog;

/** Parses and checks a replay's arguments, then hands the resolved range to {@link Replay}. */
@Command(name = "replay", mixinStandardHelpOptions = true,
		description = { "Re-apply the invalidations of a change topic between two positions.",
				"Reads with its own consumer and commits nothing: the invalidator's group never moves." })
public final class ReplayCommand implements Callable<Integer> {

	private static final Pattern RATE = Pattern.compile("([1-9][0-9]{0,8})(/s)?");

	@Mixin
	ConnectionOptions connection;

	@ArgGroup(exclusive = true, multiplicity = "1")
	Source source;

	static final class Source {

		@Option(names = "--table", required = true, description = "A table with a rule, e.g. patient")
		@Nullable String table;

		@Option(names = "--topic", required = true, description = "A change topic, e.g. freshline.public.patient")
		@Nullable String topic;
	}

	@Option(names = "--from", required = true, paramLabel = "POSITION",
			description = "earliest, an offset (every partition), an ISO-8601 time with zone, or a duration ago (PT15M)")
	String from;

	@Option(names = "--to", paramLabel = "POSITION", description = "Where to stop, exclusive (default: the end when the replay starts)")
	@Nullable String to;

	@Option(names = "--dry-run", description = "Print events and distinct keys per namespace; change nothing")
	boolean dryRun;

	@Option(names = "--rate", paramLabel = "N/s", description = "At most N events per second (default: as fast as Redis goes)")
	@Nullable String rate;

	@Option(names = "--batch", paramLabel = "KEYS", defaultValue = "200000",
			description = "Distinct keys merged before they are sent to Redis (default 200000): a key changed many "
					+ "times within the window costs one invalidation; more keys, more memory")
	int batch;

	@Option(names = "--show", paramLabel = "N", defaultValue = "10", description = "Dry run: events to print (default 10)")
	int show;

	@Option(names = "--progress-interval", paramLabel = "DURATION", defaultValue = "PT5S",
			description = "Plain progress lines when not on a terminal, ISO-8601 (default PT5S)")
	String progressInterval;

	@Override
	public Integer call() {
		Ops ops = this.connection.ops();
		Clock clock = ops.clock();
		Endpoints endpoints = this.connection.endpoints();
		ChangeTopic topic = ChangeTopic.of(this.source.table, this.source.topic, endpoints.topics(),
				endpoints.rules(), endpoints.rulesLocation());
		Position start = Position.parse("--from", this.from, clock);
		Position stop = (this.to != null) ? Position.parse("--to", this.to, clock) : new Position.Latest();
		int eventsPerSecond = rate();
		if (this.batch < 1 || this.batch > 5_000_000) {
			throw new OpsException("--batch must be between 1 and 5000000 but was " + this.batch);
		}
		Duration interval = interval();
		try (Clients clients = this.connection.connect()) {
			TopicLog log = TopicLog.read(clients.admin(), topic.topic());
			Map<TopicPartition, Long> starts = log.offsets("--from", start, clock);
			Map<TopicPartition, Long> ends = log.offsets("--to", stop, clock);
			starts.forEach((partition, offset) -> {
				if (ends.get(partition) < offset) {
					throw new OpsException("--to " + stop + " is before --from " + start + " on " + partition + " ("
							+ ends.get(partition) + " < " + offset + ")");
				}
			});
			if (!this.dryRun) {
				// fail on an unreachable Redis before reading anything
				clients.ping();
			}
			PrintWriter out = this.connection.out();
			Replay.Range range = new Replay.Range(starts, ends);
			Replay replay = new Replay(clients, endpoints.invalidationRules(), topic, range,
					new Replay.Settings(this.dryRun, eventsPerSecond, this.batch, this.show, ops.terminal(), interval), out,
					this.connection.err());
			out.println("Replaying " + topic.topic() + " from " + start + " to "
					+ ((stop instanceof Position.Latest) ? "the current end" : stop) + ": "
					+ String.format(Locale.ROOT, "%,d", range.total()) + " records on " + starts.size()
					+ " partitions" + (this.dryRun ? " (dry run: nothing is changed)" : ""));
			return replay.run();
		}
	}

	private int rate() {
		if (this.rate == null) {
			return 0;
		}
		Matcher matcher = RATE.matcher(this.rate.strip());
		if (!matcher.matches()) {
			throw new OpsException("malformed --rate '" + this.rate + "': expected a positive number of events per "
					+ "second, e.g. 5000/s");
		}
		return Integer.parseInt(matcher.group(1));
	}

	private Duration interval() {
		try {
			Duration interval = Duration.parse(this.progressInterval);
			if (interval.isNegative() || interval.isZero()) {
				throw new OpsException("--progress-interval must be positive");
			}
			return interval;
		}
		catch (DateTimeParseException ex) {
			throw new OpsException("malformed --progress-interval '" + this.progressInterval + "': expected PT5S");
		}
	}
}
