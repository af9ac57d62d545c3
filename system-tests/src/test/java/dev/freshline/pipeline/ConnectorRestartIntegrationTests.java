package dev.freshline.pipeline;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static dev.freshline.pipeline.Waits.await;

/**
 * Durable offsets: the connector is stopped and restarted while a writer keeps committing
 * updates, and every committed row version still reaches the change topic.
 */
@ExtendWith(PipelineStackExtension.class)
class ConnectorRestartIntegrationTests {

	private static final int PATIENTS = 50;

	private final JsonMapper json = JsonMapper.builder().build();

	@Test
	void shouldDeliverEveryChangeCommittedWhileTheConnectorStopsAndRestarts(PipelineStack stack) throws Exception {
		Set<String> committed = ConcurrentHashMap.newKeySet();
		AtomicInteger writes = new AtomicInteger();
		AtomicBoolean writing = new AtomicBoolean(true);
		CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> write(stack, committed, writes, writing));

		try {
			await().until(() -> writes.get() >= 100);
			stack.stopConnector();
			int whileDown = writes.get() + 200;
			await().until(() -> writes.get() >= whileDown);
			stack.startConnector();
			int afterRestart = writes.get() + 200;
			await().until(() -> writes.get() >= afterRestart);
		}
		finally {
			// the writer runs until told, however long the restart takes (a restart can wait 10 s
			// for the stopped engine's walsender to let go of the slot)
			writing.set(false);
		}
		writer.get();

		Set<String> missing = ConcurrentHashMap.newKeySet();
		missing.addAll(committed);
		try (KafkaConsumer<String, String> consumer = ChangeTopicReader.consumer()) {
			consumer.subscribe(List.of(stack.topics().changes("patient")));
			await().atMost(Duration.ofSeconds(90)).until(() -> {
				consumer.poll(Duration.ofMillis(200))
					.forEach((record) -> {
						if (!ChangeTopicReader.isMarker(record)) {
							missing.remove(idAndVersion(record.value()));
						}
					});
				return missing.isEmpty();
			});
		}
		assertThat(committed).hasSizeGreaterThanOrEqualTo(500);
	}

	private void write(PipelineStack stack, Set<String> committed, AtomicInteger writes, AtomicBoolean writing) {
		try (Connection connection = stack.connect();
				PreparedStatement update = connection
					.prepareStatement("UPDATE patient SET ward = 'ward-' || ? WHERE id = ? RETURNING id, version")) {
			for (int i = 0; writing.get(); i++) {
				update.setInt(1, i % 8);
				update.setLong(2, 1000 + (i % PATIENTS));
				try (ResultSet row = update.executeQuery()) {
					row.next();
					committed.add(row.getLong(1) + "@" + row.getLong(2));
				}
				writes.incrementAndGet();
			}
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}

	private String idAndVersion(String value) {
		JsonNode after = this.json.readTree(value).path("after");
		return after.path("id").asLong() + "@" + after.path("version").asLong();
	}
}
