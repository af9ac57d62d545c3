package dev.freshline.bench.chaos;

import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jspecify.annotations.Nullable;

/**
 * Two records no invalidation can be computed from, produced into the patient change topic: one
 * that is not JSON, and a change of a table no rule knows. The invalidator must flush the topic's
 * namespaces and dead-letter both, and nothing else: exactly two more records in the dead-letter
 * topic, and the rest of the checks as in every scenario.
 */
final class PoisonRecords implements Fault {

	private static final String MALFORMED = "{not json at all";

	private static final String UNKNOWN_TABLE = "{\"before\":null,\"after\":{\"id\":1},"
			+ "\"source\":{\"table\":\"chaos_unknown\",\"ts_ms\":1,\"lsn\":1},\"op\":\"c\"}";

	private long deadLetteredBefore;

	@Override
	public String description() {
		return "poison records: malformed JSON and a change of an unknown table produced into the patient topic";
	}

	@Override
	public void inject(ChaosContext context) throws Exception {
		// -1: no dead-letter topic yet (the invalidator declares it at start, so only if that changes)
		this.deadLetteredBefore = Math.max(0, context.probe().deadLettered());
		String topic = context.probe().topics().changes("patient");
		try (KafkaProducer<String, String> producer = new KafkaProducer<>(context.stack().kafkaClient(Map.of(
				ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
				ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class)))) {
			producer.send(new ProducerRecord<>(topic, "{\"id\":1501}", MALFORMED)).get(30, TimeUnit.SECONDS);
			producer.send(new ProducerRecord<>(topic, "{\"id\":1}", UNKNOWN_TABLE)).get(30, TimeUnit.SECONDS);
		}
		context.progress().line("  produced 2 poison records into %s (dead-letter topic held %d)", topic,
				this.deadLetteredBefore);
	}

	@Override
	public boolean over(ChaosContext context) {
		return context.probe().deadLettered() - this.deadLetteredBefore >= 2;
	}

	@Override
	public @Nullable String verify(ChaosContext context) {
		long added = context.probe().deadLettered() - this.deadLetteredBefore;
		context.progress().line("  dead-letter topic: %d new records", added);
		return (added == 2) ? null : "dead-lettered " + added + " records, expected exactly the 2 poison records";
	}
}
