package dev.freshline.ops;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.freshline.embedded.KafkaGrants;
import dev.freshline.embedded.KafkaServer;
import dev.freshline.embedded.KafkaUser;
import dev.freshline.embedded.KafkaUsers;
import dev.freshline.embedded.RedisServer;
import dev.freshline.embedded.SharedServers;
import dev.freshline.model.Topics;
import dev.freshline.ops.OpsFixture.Run;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The ops tool against a broker that requires SASL and ACLs: logged in as the ops principal (from
 * the environment, or from the local stack's endpoints file) it lists dead letters and moves the
 * invalidator's group; as another principal it is refused.
 */
class KafkaLoginIntegrationTests {

	private static final Topics TOPICS = new Topics("secured");

	private static final String GROUP = "freshline-invalidator";

	private static final KafkaUser OPS = new KafkaUser("freshline-ops", "ops-password-1");

	private static final KafkaUser CONNECTOR = new KafkaUser("freshline-connector", "connector-password-1");

	@TempDir
	static Path temporary;

	private static KafkaServer kafka;

	private final RedisServer redis = SharedServers.get().redis();

	@BeforeAll
	static void startKafka() throws Exception {
		List<String> changes = List.of(TOPICS.changes("patient"), TOPICS.changes("formulary_item"));
		List<AclBinding> acls = new ArrayList<>(KafkaGrants.ops(OPS.user(), changes, TOPICS.deadLetter(),
				// dlt list reads where redrive stopped, in redrive's own group
				List.of(GROUP, "freshline-ops-dlt-redrive")));
		acls.addAll(KafkaGrants.connector(CONNECTOR.user(), changes));
		kafka = KafkaServer.startSecured(temporary.resolve("kafka"),
				new KafkaUsers(new KafkaUser("freshline-broker", "broker-password-1"), List.of(OPS, CONNECTOR), acls));
		// what the connector and the invalidator would have done, as the broker itself
		try (Admin admin = Admin.create(kafka.adminProperties());
				KafkaProducer<String, String> producer = new KafkaProducer<>(kafka.adminProperties(), new StringSerializer(),
						new StringSerializer())) {
			List<NewTopic> topics = Stream.concat(changes.stream(), Stream.of(TOPICS.deadLetter()))
				.map((name) -> new NewTopic(name, 1, (short) 1))
				.toList();
			admin.createTopics(topics).all().get();
			producer.send(new ProducerRecord<>(TOPICS.changes("patient"), 0, "1", "{}")).get();
			admin.alterConsumerGroupOffsets(GROUP, Map.of(new TopicPartition(TOPICS.changes("patient"), 0),
					new OffsetAndMetadata(1))).all().get();
		}
	}

	@AfterAll
	static void stopKafka() {
		if (kafka != null) {
			kafka.close();
		}
	}

	@Test
	void shouldMoveTheInvalidatorsGroupAsTheOpsUserFromTheEnvironment() throws Exception {
		Run run = ops(Map.of("KAFKA_USER", OPS.user(), "KAFKA_PASSWORD", OPS.password()), "reset-group", "--group", GROUP,
				"--table", "patient", "--to-offset", "earliest", "--execute");

		assertThat(run.exitCode()).as(run.err()).isZero();
		assertThat(run.out()).contains("Moved.").doesNotContain(OPS.password());
		try (Admin admin = Admin.create(kafka.adminProperties())) {
			assertThat(admin.listConsumerGroupOffsets(GROUP).partitionsToOffsetAndMetadata().get()
				.get(new TopicPartition(TOPICS.changes("patient"), 0)).offset()).isZero();
		}
	}

	@Test
	void shouldListDeadLettersAsTheOpsUserOfTheLocalStack() throws Exception {
		Path stack = temporary.resolve("local-stack.json");
		Files.writeString(stack, """
				{"kafka": {"bootstrapServers": "%s", "saslMechanism": "SCRAM-SHA-512",
				  "users": {"ops": {"user": "%s", "password": "%s"}}}}
				""".formatted(kafka.bootstrapServers(), OPS.user(), OPS.password()));

		Run run = ops(Map.of(), "dlt", "list", "--stack-file", stack.toString());

		assertThat(run.exitCode()).as(run.err()).isZero();
		assertThat(run.out()).contains(TOPICS.deadLetter() + ": 0 records retained");
	}

	@Test
	void shouldBeRefusedTheGroupAsAnotherComponentsUser() {
		Run run = ops(Map.of("KAFKA_USER", CONNECTOR.user(), "KAFKA_PASSWORD", CONNECTOR.password()), "reset-group",
				"--group", GROUP, "--to-offset", "earliest", "--execute");

		assertThat(run.exitCode()).isNotZero();
		assertThat(run.out() + run.err()).containsIgnoringCase("authoriz");
	}

	private Run ops(Map<String, String> environment, String command, String... args) {
		String[] endpoints = { "--bootstrap-servers", kafka.bootstrapServers(), "--redis-host", this.redis.host(),
				"--redis-port", Integer.toString(this.redis.port()), "--topic-prefix", "secured" };
		String[] all = Stream.of(new String[] { command }, args, endpoints).flatMap(Stream::of).toArray(String[]::new);
		StringWriter out = new StringWriter();
		StringWriter err = new StringWriter();
		Ops ops = new Ops(environment, Path.of("target/no-such-home"), Clock.systemUTC(), false);
		int exit = ops.execute(new PrintWriter(out, true), new PrintWriter(err, true), all);
		return new Run(exit, out.toString(), err.toString());
	}
}
