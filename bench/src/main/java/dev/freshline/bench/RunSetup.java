package dev.freshline.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import io.lettuce.core.RedisClient;
import org.apache.kafka.common.utils.AppInfoParser;

/**
 * What a run measured on: the versions built and the settings each stack really ran with, read
 * from the servers themselves, so that a figure in the report can be traced to its setup.
 */
final class RunSetup {

	private RunSetup() {
	}

	static void versions(Path home, Map<String, Object> versions) {
		versions.put("freshline", "0.1.0-SNAPSHOT (" + git(home, "rev-parse", "--short", "HEAD") + ")");
		try {
			String pom = Files.readString(home.resolve("pom.xml"));
			versions.put("spring_boot", match(pom, "<artifactId>spring-boot-starter-parent</artifactId>\\s*<version>([^<]+)"));
			versions.put("debezium", match(pom, "<debezium.version>([^<]+)"));
		}
		catch (Exception ex) {
			versions.put("pom", "unreadable: " + ex.getMessage());
		}
		versions.put("kafka", AppInfoParser.getVersion());
		versions.put("java", Runtime.version().toString());
	}

	/** The settings of one stack ({@code which}: freshline or stock). */
	static Map<String, Object> configuration(StackProcess stack, String which, BenchOptions options) {
		Map<String, Object> config = new LinkedHashMap<>();
		try (Connection sql = DriverManager.getConnection(stack.jdbcUrl(), stack.databaseUser(), stack.databasePassword());
				Statement statement = sql.createStatement()) {
			for (String setting : List.of("server_version", "wal_level", "synchronous_commit", "shared_buffers",
					"max_connections", "max_wal_senders", "fsync")) {
				try (ResultSet row = statement.executeQuery("SHOW " + setting)) {
					row.next();
					config.put("postgres." + setting, row.getString(1));
				}
			}
		}
		catch (Exception ex) {
			config.put("postgres", "unreadable: " + ex.getMessage());
		}
		RedisClient client = RedisClient.create(stack.redisUri());
		try (var redis = client.connect()) {
			config.put("redis.version", match(redis.sync().info("server"), "redis_version:(\\S+)"));
			// one parameter per CONFIG GET: Redis 6.2 takes no more
			for (String parameter : List.of("maxmemory", "appendonly", "save", "io-threads")) {
				redis.sync().configGet(parameter).forEach((k, v) -> config.put("redis." + k, v));
			}
		}
		catch (Exception ex) {
			config.put("redis", "unreadable: " + ex.getMessage());
		}
		finally {
			client.shutdown();
		}
		config.put("cdc-connector.poll-interval", which.equals("stock") ? "500ms (CDC_POLL_INTERVAL)" : "10ms (default)");
		// the bench runs both stacks with markers on (Bench.environment): the fence reads them
		config.put("cdc-connector.other", "pgoutput, snapshot.mode=no_data, heartbeat 100ms, watermark markers every 50 ms (CDC_MARKERS=true), offsets flushed every 1 s, producer acks=all idempotent linger.ms=0 (cdc-connector.yml)");
		boolean cluster = !stack.redisClusterNodes().isEmpty();
		config.put("kafka", cluster
				? "three KRaft brokers (each a broker and a controller voter), each a process of its own supervised by the launcher, SASL/SCRAM, change topics with 3 partitions, replication 3, min.insync.replicas 2"
				: "one KRaft broker, a process of its own supervised by the launcher, change topics with 3 partitions, replication 1");
		if (cluster) {
			// what CONFIG GET read above is the first node's; every node is started the same way
			config.put("redis", "a Redis Cluster of 3 primaries with a replica each (cluster-node-timeout 1 s), the services on Lettuce's cluster client");
		}
		config.put("invalidator", "group freshline-invalidator, one consumer (INVALIDATOR_CONCURRENCY), a batch listener: each poll applied in pipelined round trips of 500 keys, offsets committed after it, at most every 100 ms (ack-mode time; invalidator-service.yml)");
		config.put("api", "2 instances, Hikari pool 10, Redis timeout 100 ms, patient TTL 10m (api-service.yml), bench endpoints on, freshness fence on (max-staleness 2s, fence-wait 50ms, refresh 10ms), every request authenticated (OAuth2 resource server, RS256 JWT checked against the run's public key once per token, then looked up; /bench/noop too) but /bench/anonymous-noop, the baseline without the token check");
		config.put("bench", "16 JDBC connections for the open-loop writer; " + options.readConcurrency()
				+ " HTTP/1.1 connections from one wrk thread for the API read figures, the JDK HttpClient for the fence, hot-key and visibility scenarios; each request with the run's reader token but anonymous-noop's; everything on this one machine");
		return config;
	}

	private static String git(Path home, String... args) {
		try {
			Process process = new ProcessBuilder(Stream.concat(Stream.of("git"), Arrays.stream(args)).toList())
				.directory(home.toFile())
				.redirectErrorStream(true)
				.start();
			String out = new String(process.getInputStream().readAllBytes()).strip();
			process.waitFor(10, TimeUnit.SECONDS);
			return out;
		}
		catch (Exception ex) {
			return "unknown";
		}
	}

	static String match(String text, String regex) {
		Matcher matcher = Pattern.compile(regex).matcher(text);
		return matcher.find() ? matcher.group(1) : "unknown";
	}
}
