package dev.freshline.cache.acl;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.StatusOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.data.redis.connection.RedisPassword;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.Cursor;
import org.springframework.data.redis.core.ScanOptions;
import org.springframework.data.redis.core.StringRedisTemplate;

import dev.freshline.cache.CacheCommands;
import dev.freshline.cache.FillCommands;
import dev.freshline.cache.FillOutcome;
import dev.freshline.cache.ReadReply;
import dev.freshline.cache.ServerLifetime;
import dev.freshline.embedded.RedisServer;
import dev.freshline.model.CacheKeys;
import dev.freshline.model.Invalidation;
import dev.freshline.model.Namespace;
import dev.freshline.model.Watermark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * A real redis-server (the embedded 6.2) with the ACL file that {@link RedisUsers} renders from
 * freshline-redis-users.acl: each component's own operations, through the protocol's own classes,
 * succeed as its user; what no component needs is refused with NOPERM; nobody gets in as the
 * default user. A rule that drops a command a component sends fails the first group; one that
 * grants a forbidden command, or a key outside the prefix, fails the second.
 */
class RedisUsersIntegrationTests {

	private static final CacheKeys KEYS = new CacheKeys("acl");

	private static final String OUTSIDE = "other:{1}";

	private static final Map<String, String> PASSWORDS = passwords();

	private static RedisServer server;

	private static RedisClient client;

	private static final List<AutoCloseable> opened = new ArrayList<>();

	@BeforeAll
	static void startRedisWithUsers() {
		server = RedisServer.startWithUsers(RedisUsers.load().aclFile(KEYS, PASSWORDS));
		client = RedisClient.create();
	}

	@AfterAll
	static void stopRedis() throws Exception {
		for (AutoCloseable closeable : opened) {
			closeable.close();
		}
		client.shutdown();
		server.close();
	}

	@Test
	void shouldRunTheFillProtocolAndTheAdminCommandsAsTheApiUser() {
		LettuceConnectionFactory api = connections(RedisUsers.API);
		FillCommands fill = new FillCommands(api, KEYS);
		CacheCommands commands = new CacheCommands(api, KEYS, Duration.ofMinutes(1), 10, Duration.ofSeconds(5));
		String key = KEYS.patient(1);
		List<String> tags = List.of(KEYS.tagIndex("ward:1"));
		long now = System.currentTimeMillis();

		// REGISTER (TIME, TYPE, ZADD, ZREMRANGEBYSCORE, PTTL, PEXPIRE), then READ takes the lease
		commands.register(tags, key, "t1", Duration.ofMinutes(1));
		assertThat(fill.read(key, "t1", Duration.ofSeconds(5), Duration.ZERO, now).outcome())
			.isEqualTo(ReadReply.Outcome.LEASED);
		assertThat(fill.fill(key, "t1", "row".getBytes(), 3, now + 60_000, 60_000)).isEqualTo(FillOutcome.STORED);
		assertThat(fill.read(key, "t2", Duration.ofSeconds(5), Duration.ofSeconds(30), now).outcome())
			.isEqualTo(ReadReply.Outcome.HIT);
		assertThat(fill.peek(key)).get().isEqualTo("row".getBytes());

		// the API's own invalidation after a write raises the floor: an older fill is refused
		commands.invalidate(List.of(new Invalidation(key, 5)));
		assertThat(fill.read(key, "t3", Duration.ofSeconds(5), Duration.ZERO, now).outcome())
			.isEqualTo(ReadReply.Outcome.LEASED);
		assertThat(fill.fill(key, "t3", "old".getBytes(), 4, now + 60_000, 60_000)).isEqualTo(FillOutcome.BELOW_FLOOR);
		assertThat(fill.read(key, "t4", Duration.ofSeconds(5), Duration.ZERO, now).outcome())
			.isEqualTo(ReadReply.Outcome.LEASED);
		assertThat(fill.release(key, "t4")).isTrue();
		commands.unregister(tags, key, "t1");

		// the fence's applied watermarks, as the invalidator records them
		new CacheCommands(connections(RedisUsers.INVALIDATOR), KEYS, Duration.ofMinutes(1), 10, Duration.ofSeconds(5))
			.recordWatermark("patient", 0, new Watermark(7, 42));
		assertThat(commands.appliedWatermarks("patient")).containsEntry(0, new Watermark(7, 42));

		// the NAIVE protocol's plain GET and SET with a TTL
		StringRedisTemplate plain = new StringRedisTemplate(api);
		plain.opsForValue().set(KEYS.patient(2), "naive", Duration.ofMinutes(1));
		assertThat(plain.opsForValue().get(KEYS.patient(2))).isEqualTo("naive");

		// admin: a tag (TYPE, ZSCAN, INVALIDATE, ZREM) and a namespace flush (SCAN, UNLINK)
		commands.register(tags, KEYS.patient(2), "t5", Duration.ofMinutes(1));
		assertThat(commands.invalidateTag("ward:1")).isEqualTo(1);
		plain.opsForValue().set(KEYS.patient(3), "cached");
		assertThat(commands.flush(Namespace.PATIENT, (removed) -> {
		})).isPositive();
		assertThat(plain.opsForValue().get(KEYS.patient(3))).isNull();
	}

	@Test
	void shouldInvalidateFlushCheckTheRunIdAndRecordWatermarksAsTheInvalidatorUser() {
		LettuceConnectionFactory invalidator = connections(RedisUsers.INVALIDATOR);
		CacheCommands commands = new CacheCommands(invalidator, KEYS, Duration.ofMinutes(1), 10, Duration.ofSeconds(5));
		StringRedisTemplate plain = new StringRedisTemplate(invalidator);
		CacheCommands api = new CacheCommands(connections(RedisUsers.API), KEYS, Duration.ofMinutes(1), 10,
				Duration.ofSeconds(5));
		String key = KEYS.formulary(9);

		ServerLifetime lifetime = new ServerLifetime(invalidator, KEYS);
		lifetime.reconcile((changed) -> {
		});
		assertThat(lifetime.lifetimes()).singleElement().satisfies((recorded) -> assertThat(recorded.changed()).isFalse());

		commands.invalidate(List.of(new Invalidation(key, 11)));
		assertThat(plain.opsForValue().get(KEYS.floor(key))).isEqualTo("11");

		api.register(List.of(KEYS.tagIndex("hospital:9")), key, "t1", Duration.ofMinutes(1));
		assertThat(commands.invalidateTag("hospital:9")).isEqualTo(1);

		commands.recordWatermark("formulary", 2, new Watermark(3, 4));

		assertThat(commands.flush(Namespace.FORMULARY, (removed) -> {
		})).isPositive();
		assertThat(plain.opsForValue().get(KEYS.floor(key))).isNull();
	}

	@Test
	void shouldPingScanUnlinkAndRunScriptsAsTheOpsUser() {
		LettuceConnectionFactory ops = connections(RedisUsers.OPS);
		CacheCommands commands = new CacheCommands(ops, KEYS, Duration.ofMinutes(1), 10, Duration.ofSeconds(5));
		StringRedisTemplate plain = new StringRedisTemplate(ops);
		String key = KEYS.key(new Namespace("ward"), 5);

		try (var connection = ops.getConnection()) {
			assertThat(connection.ping()).isEqualTo("PONG");
		}
		// replay: INVALIDATE
		commands.invalidate(List.of(new Invalidation(key, 2)));
		// a dry run counts a namespace (SCAN) and a tag index (SCARD)
		try (Cursor<String> cursor = plain.scan(ScanOptions.scanOptions().match(KEYS.namespacePattern(new Namespace("ward"))).build())) {
			assertThat(cursor.stream().toList()).contains(KEYS.floor(key));
		}
		assertThat(plain.opsForSet().size(KEYS.tagIndex("ward:5"))).isZero();
		assertThat(commands.invalidateTag("ward:5")).isZero();
		assertThat(commands.flush(new Namespace("ward"), (removed) -> {
		})).isEqualTo(1);
	}

	@Test
	void shouldAuditWatchAndSnapshotAsTheHarnessUser() throws Exception {
		RedisCommands<String, String> harness = commands(RedisUsers.HARNESS);
		RedisCommands<String, String> ops = commands(RedisUsers.OPS);
		String key = KEYS.patient(77);
		BlockingQueue<String> events = new LinkedBlockingQueue<>();
		StatefulRedisPubSubConnection<String, String> watch = client.connectPubSub(uri(RedisUsers.HARNESS));
		opened.add(watch);
		watch.addListener(new RedisPubSubAdapter<>() {
			@Override
			public void message(String channel, String message) {
				events.add(message);
			}
		});

		assertThat(harness.configSet("notify-keyspace-events", "E$")).isEqualTo("OK");
		try {
			watch.sync().subscribe("__keyevent@0__:set");
			ops.eval("return redis.call('SET', KEYS[1], 'v')", ScriptOutputType.STATUS, KEYS.floor(key));
			assertThat(events.poll(10, TimeUnit.SECONDS)).isEqualTo(KEYS.floor(key));
		}
		finally {
			harness.configSet("notify-keyspace-events", "");
		}
		assertThat(harness.configGet("save")).containsKey("save");
		assertThat(harness.info("server")).contains("redis_version:");
		assertThat(harness.scan(ScanArgs.Builder.matches(KEYS.prefix() + ":*")).getKeys()).contains(KEYS.floor(key));
		assertThat(harness.get(KEYS.floor(key))).isEqualTo("v");
		assertThat(harness.mget(KEYS.floor(key))).hasSize(1);
		assertThat(harness.exists(KEYS.floor(key))).isEqualTo(1);
		assertThat(harness.save()).isEqualTo("OK");
		assertThat(harness.del(KEYS.floor(key))).isEqualTo(1);
		// the bulk-update benchmark plants entries as the API's fill stores them
		assertThat(harness.set(key, "v", SetArgs.Builder.px(60_000))).isEqualTo("OK");
		assertThat(harness.del(key)).isEqualTo(1);
	}

	@ParameterizedTest
	@ValueSource(strings = { RedisUsers.API, RedisUsers.INVALIDATOR, RedisUsers.OPS, RedisUsers.HARNESS })
	void shouldRefuseWhatNoComponentNeeds(String user) {
		RedisCommands<String, String> redis = commands(user);
		assertNoPermission(redis, RedisCommands::flushall);
		assertNoPermission(redis, RedisCommands::flushdb);
		assertNoPermission(redis, (r) -> r.keys("*"));
		assertNoPermission(redis, (r) -> r.dispatch(CommandType.DEBUG, new StatusOutput<>(StringCodec.UTF8),
				new CommandArgs<>(StringCodec.UTF8).add("SLEEP").add(0)));
		assertNoPermission(redis, RedisCommands::aclList);
		// a cluster's topology may be read (CLUSTER NODES), never changed
		assertNoPermission(redis, (r) -> r.clusterReset(true));
		assertNoPermission(redis, (r) -> r.clusterFailover(true));
		// Lettuce's shutdown() ignores the reply, so the command is sent as is
		assertNoPermission(redis, (r) -> r.dispatch(CommandType.SHUTDOWN, new StatusOutput<>(StringCodec.UTF8),
				new CommandArgs<>(StringCodec.UTF8).add("NOSAVE")));
		assertNoPermission(redis, (r) -> r.get(OUTSIDE));
		assertNoPermission(redis, (r) -> r.del(OUTSIDE));
		if (!user.equals(RedisUsers.HARNESS)) {
			// the harness alone reads and sets settings (keyspace events): see the rules file
			assertNoPermission(redis, (r) -> r.configGet("maxmemory"));
			assertNoPermission(redis, (r) -> r.configSet("notify-keyspace-events", "E$"));
		}
	}

	@ParameterizedTest
	@ValueSource(strings = { RedisUsers.API, RedisUsers.INVALIDATOR, RedisUsers.OPS })
	void shouldRefuseAScriptThatTouchesAKeyOutsideThePrefix(String user) {
		RedisCommands<String, String> redis = commands(user);
		// a key the script declares is checked before it runs ...
		assertThatThrownBy(() -> redis.eval("return redis.call('GET', KEYS[1])", ScriptOutputType.VALUE, OUTSIDE))
			.hasMessageStartingWith("NOPERM");
		// ... and one it does not declare, when the script calls a command on it (Redis 6.2 and 7)
		assertThatThrownBy(() -> redis.eval("return redis.call('DEL', '" + OUTSIDE + "')", ScriptOutputType.INTEGER))
			.hasMessageContaining("can't access at least one of the keys");
		// a command that is not granted is refused inside a script too
		assertThatThrownBy(() -> redis.eval("return redis.call('FLUSHALL')", ScriptOutputType.STATUS))
			.hasMessageContaining("can't run this command");
	}

	@Test
	void shouldLetNobodyInAsTheDefaultUser() throws IOException {
		// Lettuce's handshake (HELLO) is the first command: refused without credentials (Lettuce
		// reports the NOAUTH reply, or sometimes only that the handshake broke off: either way no
		// connection)
		assertThatExceptionOfType(RedisConnectionException.class).isThrownBy(() -> client.connect(RedisURI.create(server.uri())));
		// a client that sends commands without any handshake, on a plain socket
		assertThat(anonymously("PING", "GET " + KEYS.patient(1), "AUTH default anything", "AUTH anything"))
			.satisfiesExactly((reply) -> assertThat(reply).startsWith("-NOAUTH"), (reply) -> assertThat(reply).startsWith("-NOAUTH"),
					(reply) -> assertThat(reply).startsWith("-WRONGPASS"), (reply) -> assertThat(reply).startsWith("-WRONGPASS"));
	}

	@Test
	void shouldRefuseAUserWithAnotherUsersPassword() {
		RedisURI wrong = RedisURI.builder(uri(RedisUsers.API))
			.withAuthentication(RedisUsers.API, PASSWORDS.get(RedisUsers.OPS).toCharArray())
			.build();
		assertThatThrownBy(() -> client.connect(wrong).sync().ping()).hasStackTraceContaining("WRONGPASS");
	}

	@Test
	void shouldKeepTheUsersAndLoadTheScriptsAgainAfterARestart() throws IOException {
		CacheCommands invalidator = new CacheCommands(connections(RedisUsers.INVALIDATOR), KEYS, Duration.ofMinutes(1), 10,
				Duration.ofSeconds(5));
		server.restart();
		// an empty script cache: EVALSHA fails with NOSCRIPT and the commands load the script (SCRIPT LOAD)
		await().atMost(Duration.ofSeconds(10))
			.untilAsserted(() -> invalidator.invalidate(List.of(new Invalidation(KEYS.patient(8), 1))));
		assertThat(anonymously("PING")).singleElement().asString().startsWith("-NOAUTH");
	}

	/** The replies to {@code inlineCommands} sent on a plain socket, without any handshake. */
	private static List<String> anonymously(String... inlineCommands) throws IOException {
		try (Socket socket = new Socket(server.host(), server.port())) {
			socket.setSoTimeout(5_000);
			BufferedReader replies = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
			Writer commands = new OutputStreamWriter(socket.getOutputStream(), StandardCharsets.UTF_8);
			List<String> answered = new ArrayList<>();
			for (String inlineCommand : inlineCommands) {
				answered.add(send(commands, replies, inlineCommand));
			}
			return answered;
		}
	}

	private static String send(Writer commands, BufferedReader replies, String inlineCommand) throws IOException {
		commands.write(inlineCommand + "\r\n");
		commands.flush();
		return replies.readLine();
	}

	private static void assertNoPermission(RedisCommands<String, String> redis, Consumer<RedisCommands<String, String>> command) {
		assertThatThrownBy(() -> command.accept(redis)).hasMessageStartingWith("NOPERM");
	}

	private static RedisURI uri(String user) {
		return RedisURI.builder()
			.withHost(server.host())
			.withPort(server.port())
			.withAuthentication(user, PASSWORDS.get(user).toCharArray())
			.withTimeout(Duration.ofSeconds(5))
			.build();
	}

	private static RedisCommands<String, String> commands(String user) {
		StatefulRedisConnection<String, String> connection = client.connect(uri(user));
		opened.add(connection);
		return connection.sync();
	}

	/** As the services connect: Spring Data's Lettuce factory with spring.data.redis.username/password. */
	private static LettuceConnectionFactory connections(String user) {
		RedisStandaloneConfiguration configuration = new RedisStandaloneConfiguration(server.host(), server.port());
		configuration.setUsername(user);
		configuration.setPassword(RedisPassword.of(PASSWORDS.get(user)));
		LettuceConnectionFactory factory = new LettuceConnectionFactory(configuration);
		factory.afterPropertiesSet();
		factory.start();
		opened.add(factory::destroy);
		return factory;
	}

	private static Map<String, String> passwords() {
		Map<String, String> passwords = new LinkedHashMap<>();
		for (String user : List.of(RedisUsers.API, RedisUsers.INVALIDATOR, RedisUsers.OPS, RedisUsers.HARNESS)) {
			passwords.put(user, user + "-" + Long.toHexString(Double.doubleToLongBits(Math.random())));
		}
		return passwords;
	}
}
