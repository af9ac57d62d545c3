package dev.freshline.bench.chaos;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.freshline.embedded.Directories;
import dev.freshline.embedded.FreePorts;
import dev.freshline.embedded.KafkaServer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The kafka-unreachable scenario rests on this: a broker that advertises a fault proxy's port
 * sends every client through the proxy, whatever address the client bootstrapped from, so a
 * proxy that drops makes the broker unreachable and one that passes again delivers what it held.
 */
class KafkaBehindFaultProxyIntegrationTests {

	private Path directory;

	private FaultProxy proxy;

	private KafkaServer kafka;

	@BeforeEach
	void startBrokerBehindProxy() throws Exception {
		this.directory = Files.createTempDirectory("kafka-behind-proxy");
		int brokerPort = FreePorts.find();
		this.proxy = new FaultProxy(0, brokerPort);
		this.kafka = KafkaServer.resume(this.directory, brokerPort, FreePorts.find(), this.proxy.port());
		try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + brokerPort))) {
			admin.createTopics(List.of(new NewTopic("changes", 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
		}
	}

	@AfterEach
	void stop() {
		this.kafka.close();
		this.proxy.close();
		Directories.deleteRecursively(this.directory);
	}

	@Test
	void shouldAdvertiseTheProxySoThatAClientBootstrappedAtTheBrokerStillGoesThroughIt() throws Exception {
		assertThat(this.kafka.bootstrapServers()).isEqualTo("127.0.0.1:" + this.proxy.port());
		// bootstrapped at the broker's own port: the metadata it gets back names the proxy
		int brokerPort = this.proxy.upstreamPort();
		try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + brokerPort))) {
			List<Integer> ports = admin.describeCluster().nodes().get(30, TimeUnit.SECONDS).stream().map(Node::port).toList();
			assertThat(ports).containsExactly(this.proxy.port());
		}
	}

	@Test
	void shouldLeaveTheBrokerUnreachableWhileTheProxyDropsAndDeliverOnceItPasses() throws Exception {
		try (KafkaProducer<String, String> producer = producer()) {
			producer.send(new ProducerRecord<>("changes", "warm", "up")).get(30, TimeUnit.SECONDS);

			this.proxy.drop();
			Future<RecordMetadata> held = producer.send(new ProducerRecord<>("changes", "during", "the outage"));
			assertThatExceptionOfType(TimeoutException.class).isThrownBy(() -> held.get(2, TimeUnit.SECONDS));

			this.proxy.pass();
			assertThat(held.get(30, TimeUnit.SECONDS).offset()).isEqualTo(1);
		}
	}

	private KafkaProducer<String, String> producer() {
		return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, this.kafka.bootstrapServers(),
				ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000,
				ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 60_000, ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
				StringSerializer.class, ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class));
	}
}
