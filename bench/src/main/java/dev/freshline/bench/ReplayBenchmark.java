package dev.freshline.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.lettuce.core.LettuceFutures;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import dev.freshline.embedded.Directories;
import dev.freshline.embedded.KafkaServer;
import dev.freshline.embedded.RedisServer;
import dev.freshline.model.CacheKeys;
import dev.freshline.model.Topics;

/**
 * The replay benchmark behind {@code scripts/bench-replay}: starts a real Kafka broker (in this
 * JVM) and redis-server, fills a patient change topic with Debezium JSON update events shaped
 * like the connector's, caches every patient, then times {@code ops replay --from earliest}
 * run as its own process, exactly as an operator runs it. Prints the tool's summary, the
 * machine, and one RESULT line. It is run on purpose ({@code bench-exec.jar replay}), not by
 * {@code verify}.
 *
 * <p>Arguments: {@code --jar <ops-cli-exec.jar> [--events N] [--rows N] [--wards N] [--partitions N]}.
 */
final class ReplayBenchmark {

	private static final Pattern RATE = Pattern.compile("rate\\s+([0-9,]+) events/s");

	private ReplayBenchmark() {
	}

	public static void main(String[] args) throws Exception {
		Map<String, String> options = options(args);
		Path jar = Path.of(options.getOrDefault("jar", "ops-cli/target/ops-cli-exec.jar"));
		long events = Long.parseLong(options.getOrDefault("events", "1000000"));
		int rows = Integer.parseInt(options.getOrDefault("rows", "100000"));
		int wards = Integer.parseInt(options.getOrDefault("wards", "40"));
		int partitions = Integer.parseInt(options.getOrDefault("partitions", "3"));
		System.out.println(Machine.current().replayLine());
		// the figure is only as good as the machine is quiet: show what else was running
		System.out.println("Load average before: " + Machine.loadavg());
		Path directory = Files.createTempDirectory("freshline-bench-replay-");
		int exit;
		try (KafkaServer kafka = KafkaServer.start(directory.resolve("kafka")); RedisServer redis = RedisServer.start()) {
			Topics topics = new Topics("bench");
			CacheKeys keys = new CacheKeys("bench");
			String topic = topics.changes("patient");
			createTopic(kafka, topic, partitions);
			long started = System.nanoTime();
			long[] touched = new long[1];
			long bytes = produce(kafka, topic, events, rows, wards, touched);
			System.out.printf(Locale.ROOT, "Produced %,d change events (%,d rows, %d wards, %d partitions, %.0f MB) in %.1f s%n",
					events, rows, wards, partitions, bytes / 1e6, seconds(started));
			int cached = cache(redis, keys, rows, wards);
			System.out.printf(Locale.ROOT, "Cached %,d entries in Redis%n", cached);
			List<String> command = new ArrayList<>(List.of(javaBinary()));
			if (options.containsKey("jvm")) {
				command.addAll(List.of(options.get("jvm").split(" ")));
			}
			command.addAll(List.of("-jar", jar.toString(), "replay", "--table", "patient", "--from", "earliest",
					"--progress-interval", "PT2S", "--bootstrap-servers", kafka.bootstrapServers(), "--redis-host",
					redis.host(), "--redis-port", Integer.toString(redis.port()), "--topic-prefix", "bench", "--key-prefix",
					"bench"));
			if (options.containsKey("replay-args")) {
				command.addAll(List.of(options.get("replay-args").split(" ")));
			}
			System.out.println("$ " + String.join(" ", command).replace(jar.toString(), "ops-cli/target/ops-cli-exec.jar"));
			started = System.nanoTime();
			String output = run(command);
			double wall = seconds(started);
			// every updated patient's entry must be gone, every other one must still be there
			long left = left(redis, keys, rows);
			long expected = rows - touched[0];
			Matcher rate = RATE.matcher(output);
			String toolRate = rate.find() ? rate.group(1).replace(",", "") : "?";
			System.out.printf(Locale.ROOT, "Patient entries left in Redis after the replay: %,d of %,d (%,d rows had no change)%n",
					left, rows, expected);
			System.out.println("Load average after: " + Machine.loadavg());
			System.out.printf(Locale.ROOT,
					"RESULT events=%d replay_events_per_s=%s wall_s_including_jvm_start=%.1f wall_events_per_s=%.0f left=%d%n",
					events, toolRate, wall, events / wall, left);
			exit = (left == expected) ? 0 : 1;
		}
		finally {
			Directories.deleteRecursively(directory);
		}
		// the in-process broker's threads are not daemons
		System.exit(exit);
	}

	private static void createTopic(KafkaServer kafka, String topic, int partitions) throws Exception {
		Properties properties = new Properties();
		properties.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
		try (Admin admin = Admin.create(properties)) {
			admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get();
		}
	}

	/** Updates of random rows, half of them moving the patient to another ward; keyed by id like the connector's. */
	private static long produce(KafkaServer kafka, String topic, long events, int rows, int wards, long[] touched) {
		Map<String, Object> config = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
				ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.LINGER_MS_CONFIG, 20, ProducerConfig.BATCH_SIZE_CONFIG,
				256 * 1024, ProducerConfig.BUFFER_MEMORY_CONFIG, 128L * 1024 * 1024);
		SplittableRandom random = new SplittableRandom(42);
		long[] versions = new long[rows + 1];
		int[] wardOf = new int[rows + 1];
		long bytes = 0;
		long lsn = 30_000_000L;
		long commit = Instant.now().minus(Duration.ofHours(1)).toEpochMilli();
		try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(config, new StringSerializer(),
				new ByteArraySerializer())) {
			for (long i = 0; i < events; i++) {
				int id = 1 + random.nextInt(rows);
				long version = ++versions[id];
				int wardBefore = wardOf[id];
				int wardAfter = random.nextBoolean() ? random.nextInt(wards) : wardBefore;
				wardOf[id] = wardAfter;
				lsn += 200;
				commit += (i % 50 == 0) ? 1 : 0;
				byte[] value = event(id, wardBefore, wardAfter, version, commit, lsn).getBytes(StandardCharsets.UTF_8);
				bytes += value.length;
				producer.send(new ProducerRecord<>(topic, "{\"id\":" + id + "}", value));
			}
			producer.flush();
		}
		for (int id = 1; id <= rows; id++) {
			touched[0] += (versions[id] > 0) ? 1 : 0;
		}
		return bytes;
	}

	private static String event(int id, int wardBefore, int wardAfter, long version, long commit, long lsn) {
		String updatedAt = Instant.ofEpochMilli(commit).toString();
		return "{\"before\":{\"id\":" + id + ",\"ward\":\"ward-" + wardBefore + "\",\"version\":" + (version - 1)
				+ ",\"updated_at\":\"" + updatedAt + "\"},\"after\":{\"id\":" + id + ",\"ward\":\"ward-" + wardAfter
				+ "\",\"version\":" + version + ",\"updated_at\":\"" + updatedAt + "\"},\"source\":{\"version\":"
				+ "\"3.6.1.Final\",\"connector\":\"postgresql\",\"name\":\"bench\",\"ts_ms\":" + commit
				+ ",\"snapshot\":\"false\",\"db\":\"freshline\",\"sequence\":\"[\\\"" + (lsn - 200) + "\\\",\\\"" + lsn
				+ "\\\"]\",\"ts_us\":" + commit * 1000 + ",\"ts_ns\":" + commit * 1_000_000 + ",\"schema\":\"public\","
				+ "\"table\":\"patient\",\"txId\":" + (lsn / 200) + ",\"lsn\":" + lsn + ",\"xmin\":null},\"transaction\":null,"
				+ "\"op\":\"u\",\"ts_ms\":" + (commit + 3) + ",\"ts_us\":" + (commit + 3) * 1000 + ",\"ts_ns\":"
				+ (commit + 3) * 1_000_000 + "}";
	}

	/** Every patient and ward entry cached, so each replayed delete removes something real. */
	private static int cache(RedisServer redis, CacheKeys keys, int rows, int wards) {
		RedisClient client = RedisClient.create(redis.uri());
		try (StatefulRedisConnection<String, String> connection = client.connect()) {
			// pipelined: the commands go out in one flush and the replies are awaited together
			connection.setAutoFlushCommands(false);
			RedisAsyncCommands<String, String> async = connection.async();
			List<RedisFuture<String>> replies = new ArrayList<>(rows + wards);
			for (int id = 1; id <= rows; id++) {
				replies.add(async.set(keys.patient(id), "{\"id\":1,\"ward\":\"ward-1\",\"version\":1}"));
			}
			for (int ward = 0; ward < wards; ward++) {
				replies.add(async.set("bench:ward:{ward-" + ward + "}", "[1,2,3]"));
			}
			connection.flushCommands();
			if (!LettuceFutures.awaitAll(Duration.ofMinutes(2), replies.toArray(new RedisFuture<?>[0]))) {
				throw new IllegalStateException("Redis did not acknowledge the cached entries within 2 minutes");
			}
			return rows + wards;
		}
		finally {
			client.shutdown();
		}
	}

	/** Patients whose entry survived the replay: every one was updated at least once (with these sizes), so 0. */
	private static long left(RedisServer redis, CacheKeys keys, int rows) {
		RedisClient client = RedisClient.create(redis.uri());
		try (StatefulRedisConnection<String, String> connection = client.connect()) {
			String[] all = new String[rows];
			for (int id = 1; id <= rows; id++) {
				all[id - 1] = keys.patient(id);
			}
			Long existing = connection.sync().exists(all);
			return (existing != null) ? existing : -1;
		}
		finally {
			client.shutdown();
		}
	}

	private static String run(List<String> command) throws IOException, InterruptedException {
		Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
		StringBuilder output = new StringBuilder();
		try (BufferedReader reader = new BufferedReader(
				new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
			String line;
			while ((line = reader.readLine()) != null) {
				System.out.println("  | " + line);
				output.append(line).append('\n');
			}
		}
		int exit = process.waitFor();
		if (exit != 0) {
			throw new IllegalStateException("ops replay exited with " + exit);
		}
		return output.toString();
	}

	private static String javaBinary() {
		return Path.of(System.getProperty("java.home"), "bin", "java").toString();
	}

	private static double seconds(long startedNanos) {
		return (System.nanoTime() - startedNanos) / 1e9;
	}

	private static Map<String, String> options(String[] args) {
		Map<String, String> options = new HashMap<>();
		for (int i = 0; i + 1 < args.length; i += 2) {
			if (!args[i].startsWith("--")) {
				throw new IllegalArgumentException("expected --name value pairs but got " + args[i]);
			}
			options.put(args[i].substring(2), args[i + 1]);
		}
		return options;
	}
}
