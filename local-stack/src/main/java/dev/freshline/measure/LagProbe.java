package dev.freshline.measure;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;

import io.lettuce.core.RedisClient;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.freshline.model.CacheKeys;

/**
 * Measures, on a running local stack, the time from a raw SQL UPDATE's commit returning to the
 * invalidator's delete of the patient key in Redis (seen through Redis keyspace notifications),
 * and the cdc-connector's CPU while nothing is written. Usage:
 * {@code scripts/measure-lag [updates] [updates-per-second] [idle-seconds]}. Updates touch patients
 * 2000 to 2599 (warm-up 2600 to 2799), one key each, so the run needs at most 600 measured updates.
 */
public final class LagProbe {

	private LagProbe() {
	}

	public static void main(String[] args) throws Exception {
		int updates = args.length > 0 ? Integer.parseInt(args[0]) : 300;
		if (updates < 1 || updates > 600) {
			throw new IllegalArgumentException("updates must be between 1 and 600");
		}
		int rate = args.length > 1 ? Integer.parseInt(args[1]) : 50;
		int idleSeconds = args.length > 2 ? Integer.parseInt(args[2]) : 30;
		Path home = Path.of(System.getProperty("freshline.home", ".")).toAbsolutePath();
		JsonNode stack = JsonMapper.builder().build().readTree(Files.readString(home.resolve(".freshline/local-stack.json")));

		System.out.printf("machine: %d cores, %.1f GiB, %s %s, %s%n", Runtime.getRuntime().availableProcessors(),
				totalMemoryGiB(), System.getProperty("java.vm.name"), System.getProperty("java.version"),
				System.getProperty("os.name") + " " + System.getProperty("os.version"));

		long connectorPid = stack.path("processes").path("cdc-connector").asLong();
		double idleCores = idleCpuCores(connectorPid, Duration.ofSeconds(idleSeconds));
		System.out.printf("cdc-connector idle CPU over %d s: %.3f cores%n", idleSeconds, idleCores);

		// A fresh stack runs its first few hundred events in the interpreter: warm up off the record.
		measureLag(stack, 200, rate, 2600);
		double[] lags = measureLag(stack, updates, rate, 2000);
		Arrays.sort(lags);
		System.out.printf("commit -> key deleted over %d updates at %d/s: p50 %.1f ms, p99 %.1f ms, max %.1f ms%n",
				lags.length, rate, percentile(lags, 0.50), percentile(lags, 0.99), lags[lags.length - 1]);
		System.out.printf("RESULT lag_p50_ms=%.1f lag_p99_ms=%.1f lag_max_ms=%.1f updates=%d rate_per_s=%d connector_idle_cpu_cores=%.3f%n",
				percentile(lags, 0.50), percentile(lags, 0.99), lags[lags.length - 1], lags.length, rate, idleCores);
	}

	private static double[] measureLag(JsonNode stack, int updates, int rate, long firstId) throws Exception {
		JsonNode postgres = stack.path("postgres");
		JsonNode redis = stack.path("redis");
		CacheKeys keys = new CacheKeys("freshline");
		Map<String, Long> deletedAt = new ConcurrentHashMap<>();
		RedisClient client = RedisClient.create("redis://" + redis.path("host").asString() + ":" + redis.path("port").asInt());
		try (StatefulRedisConnection<String, String> commands = client.connect();
				StatefulRedisPubSubConnection<String, String> events = client.connectPubSub();
				Connection sql = DriverManager.getConnection(postgres.path("jdbcUrl").asString(),
						postgres.path("user").asString(), postgres.path("password").asString());
				PreparedStatement update = sql.prepareStatement("UPDATE patient SET ward = ward WHERE id = ?")) {
			// E = keyevent channel, g = generic commands (DEL, UNLINK)
			commands.sync().configSet("notify-keyspace-events", "Eg");
			events.addListener(new RedisPubSubAdapter<>() {
				@Override
				public void message(String channel, String key) {
					deletedAt.putIfAbsent(key, System.nanoTime());
				}
			});
			events.sync().subscribe("__keyevent@0__:del");

			long[] committedAt = new long[updates];
			String[] updatedKeys = new String[updates];
			long interval = 1_000_000_000L / rate;
			long next = System.nanoTime();
			for (int i = 0; i < updates; i++) {
				long id = firstId + i; // one key per update, so each delete is attributable
				updatedKeys[i] = keys.patient(id);
				commands.sync().set(updatedKeys[i], "probe");
				LockSupport.parkNanos(Math.max(0, next - System.nanoTime()));
				update.setLong(1, id);
				update.executeUpdate();
				committedAt[i] = System.nanoTime();
				next += interval;
			}
			long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
			while (deletedAt.size() < updates && System.nanoTime() < deadline) {
				LockSupport.parkNanos(Duration.ofMillis(10).toNanos());
			}
			List<Double> lags = new ArrayList<>();
			for (int i = 0; i < updates; i++) {
				Long deleted = deletedAt.get(updatedKeys[i]);
				if (deleted == null) {
					throw new IllegalStateException("no delete seen for " + updatedKeys[i] + " within 30 s");
				}
				lags.add((deleted - committedAt[i]) / 1e6);
			}
			return lags.stream().mapToDouble(Double::doubleValue).toArray();
		}
		finally {
			client.shutdown();
		}
	}

	/** CPU time the process used over the window, from /proc (utime + stime, in clock ticks). */
	private static double idleCpuCores(long pid, Duration window) throws IOException {
		long before = cpuTicks(pid);
		LockSupport.parkNanos(window.toNanos());
		long after = cpuTicks(pid);
		return (after - before) / 100.0 / window.toSeconds();
	}

	private static long cpuTicks(long pid) throws IOException {
		String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
		// fields after the command name, which is in parentheses and may contain spaces
		String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
		return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
	}

	private static double percentile(double[] sorted, double p) {
		return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
	}

	private static double totalMemoryGiB() {
		var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
		return os.getTotalMemorySize() / (1024.0 * 1024 * 1024);
	}
}
