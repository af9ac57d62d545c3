package dev.freshline.bench;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;

/**
 * When the invalidator applied each patient change, seen through Redis keyspace notifications. The
 * invalidate script deletes the value and lease and raises the key's floor in one atomic script,
 * so the floor's {@code set} event is the delete's instant, and unlike a {@code del} event it is
 * published whether or not the entry was cached: the bench need not plant a value before each
 * update, and every change is seen exactly once, in version order per key. The listener only
 * queues (key, time); matching runs after a step, off the event loop.
 */
final class InvalidationWatch implements AutoCloseable {

	private static final String FLOOR = ":floor";

	private final String keyPrefix;

	private final List<StatefulRedisConnection<String, String>> commands = new ArrayList<>();

	private final List<StatefulRedisPubSubConnection<String, String>> events = new ArrayList<>();

	private final ConcurrentLinkedQueue<Applied> applied = new ConcurrentLinkedQueue<>();

	private final AtomicLong count = new AtomicLong();

	record Applied(String key, long nanos) {
	}

	InvalidationWatch(RedisClient client, String keyPrefix) {
		this(List.of(client), keyPrefix);
	}

	/**
	 * Watches every one of {@code primaries}: a cluster node publishes the events of its own slots
	 * only. Primaries only, since a replica applying the same script would publish each event twice.
	 */
	InvalidationWatch(List<RedisClient> primaries, String keyPrefix) {
		this.keyPrefix = keyPrefix;
		for (RedisClient client : primaries) {
			StatefulRedisConnection<String, String> commands = client.connect();
			this.commands.add(commands);
			// E = keyevent channel, $ = string commands (SET); switched off again on close
			commands.sync().configSet("notify-keyspace-events", "E$");
			StatefulRedisPubSubConnection<String, String> events = client.connectPubSub();
			this.events.add(events);
			events.addListener(new RedisPubSubAdapter<>() {
				@Override
				public void message(String channel, String key) {
					long now = System.nanoTime();
					if (key.startsWith(InvalidationWatch.this.keyPrefix) && key.endsWith(FLOOR)) {
						InvalidationWatch.this.applied.add(new Applied(key.substring(0, key.length() - FLOOR.length()), now));
						InvalidationWatch.this.count.incrementAndGet();
					}
				}
			});
			events.sync().subscribe("__keyevent@0__:set");
		}
	}

	long count() {
		return this.count.get();
	}

	/** Every invalidation seen since the last drain, by value key, in the order they happened. */
	Map<String, List<Long>> drain() {
		Map<String, List<Long>> byKey = new HashMap<>();
		Applied next;
		while ((next = this.applied.poll()) != null) {
			byKey.computeIfAbsent(next.key(), (key) -> new ArrayList<>()).add(next.nanos());
		}
		return byKey;
	}

	void reset() {
		this.applied.clear();
		this.count.set(0);
	}

	@Override
	public void close() {
		this.events.forEach(StatefulRedisPubSubConnection::close);
		// every SET in Redis would otherwise keep publishing an event during the API scenarios
		this.commands.forEach((commands) -> {
			commands.sync().configSet("notify-keyspace-events", "");
			commands.close();
		});
	}
}
