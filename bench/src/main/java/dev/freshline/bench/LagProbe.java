package dev.freshline.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;

import io.lettuce.core.RedisClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.freshline.model.CacheKeys;

/**
 * Measures, on a running local stack, the time from a raw SQL UPDATE's commit returning to the
 * invalidator's delete of the patient key in Redis (seen through {@link InvalidationWatch}), and
 * the cdc-connector's CPU while nothing is written ({@link Machine}). Usage:
 * {@code scripts/measure-lag [updates] [updates-per-second] [idle-seconds]}. Updates touch patients
 * 2000 to 2599 (warm-up 2600 to 2799), one key each, so the run needs at most 600 measured updates.
 */
final class LagProbe {

	private static final String PREFIX = "freshline";

	private LagProbe() {
	}

	static void main(String[] args) throws Exception {
		int updates = args.length > 0 ? Integer.parseInt(args[0]) : 300;
		if (updates < 1 || updates > 600) {
			throw new IllegalArgumentException("updates must be between 1 and 600");
		}
		int rate = args.length > 1 ? Integer.parseInt(args[1]) : 50;
		int idleSeconds = args.length > 2 ? Integer.parseInt(args[2]) : 30;
		Path home = Path.of(System.getProperty("freshline.home", ".")).toAbsolutePath();
		JsonNode stack = JsonMapper.builder().build().readTree(Files.readString(home.resolve(".freshline/local-stack.json")));

		System.out.println("machine: " + Machine.current().line());

		long connectorPid = stack.path("processes").path("cdc-connector").asLong();
		double idleCores = Machine.cpuCores(connectorPid, Duration.ofSeconds(idleSeconds));
		System.out.printf("cdc-connector idle CPU over %d s: %.3f cores%n", idleSeconds, idleCores);

		RedisClient client = RedisClient.create(HarnessRedis.uri(stack));
		CacheKeys keys = new CacheKeys(PREFIX);
		String patientKeys = keys.patient(1).substring(0, keys.patient(1).indexOf('{'));
		try (InvalidationWatch watch = new InvalidationWatch(client, patientKeys)) {
			// A fresh stack runs its first few hundred events in the interpreter: warm up off the record.
			measureLag(stack, watch, keys, 200, rate, 2600);
			Percentiles lags = Percentiles.of(measureLag(stack, watch, keys, updates, rate, 2000));
			System.out.printf("commit -> key deleted over %d updates at %d/s: p50 %.1f ms, p99 %.1f ms, max %.1f ms%n",
					lags.count(), rate, lags.p50(), lags.p99(), lags.max());
			System.out.printf("RESULT lag_p50_ms=%.1f lag_p99_ms=%.1f lag_max_ms=%.1f updates=%d rate_per_s=%d connector_idle_cpu_cores=%.3f%n",
					lags.p50(), lags.p99(), lags.max(), lags.count(), rate, idleCores);
		}
		finally {
			client.shutdown();
		}
	}

	private static double[] measureLag(JsonNode stack, InvalidationWatch watch, CacheKeys keys, int updates, int rate,
			long firstId) throws Exception {
		JsonNode postgres = stack.path("postgres");
		watch.reset();
		long[] committedAt = new long[updates];
		try (Connection sql = DriverManager.getConnection(postgres.path("jdbcUrl").asString(),
				postgres.path("user").asString(), postgres.path("password").asString());
				PreparedStatement update = sql.prepareStatement("UPDATE patient SET ward = ward WHERE id = ?")) {
			long interval = 1_000_000_000L / rate;
			long next = System.nanoTime();
			for (int i = 0; i < updates; i++) {
				LockSupport.parkNanos(Math.max(0, next - System.nanoTime()));
				update.setLong(1, firstId + i); // one key per update, so each invalidation is attributable
				update.executeUpdate();
				committedAt[i] = System.nanoTime();
				next += interval;
			}
		}
		Set<String> expected = new LinkedHashSet<>();
		for (int i = 0; i < updates; i++) {
			expected.add(keys.patient(firstId + i));
		}
		Map<String, Long> appliedAt = new HashMap<>();
		long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
		while (appliedAt.size() < updates && System.nanoTime() < deadline) {
			watch.drain().forEach((key, times) -> {
				if (expected.contains(key)) {
					appliedAt.putIfAbsent(key, times.get(0));
				}
			});
			LockSupport.parkNanos(Duration.ofMillis(10).toNanos());
		}
		double[] lags = new double[updates];
		for (int i = 0; i < updates; i++) {
			String key = keys.patient(firstId + i);
			Long applied = appliedAt.get(key);
			if (applied == null) {
				throw new IllegalStateException("no delete seen for " + key + " within 30 s");
			}
			lags[i] = (applied - committedAt[i]) / 1e6;
		}
		return lags;
	}
}
