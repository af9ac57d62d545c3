package dev.freshline.embedded;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A secured {@link KafkaServer}'s settings: SASL/SCRAM-SHA-512 on the client listener, the broker's
 * own principal the only super user, and KRaft's {@code StandardAuthorizer} denying whatever no ACL
 * allows. The controller listener logs in with SASL/PLAIN as the same principal: SCRAM cannot
 * serve it (its credentials live in the metadata the controller itself serves), and a PLAINTEXT
 * controller would make its anonymous principal a super user for any process on this host.
 */
final class KafkaSecurity {

	private static final Logger log = LoggerFactory.getLogger(KafkaSecurity.class);

	private static final String AUTHORIZER = "org.apache.kafka.metadata.authorizer.StandardAuthorizer";

	private KafkaSecurity() {
	}

	/** Overrides the plain listeners' protocols; {@code listener} is the clients' (and inter-broker) listener. */
	static Map<String, String> brokerProperties(KafkaUser broker, String listener, String controllerListener) {
		String clients = "listener.name." + listener.toLowerCase(Locale.ROOT) + ".";
		String controller = "listener.name." + controllerListener.toLowerCase(Locale.ROOT) + ".";
		return Map.ofEntries(
				Map.entry("listener.security.protocol.map",
						listener + ":" + KafkaUser.SECURITY_PROTOCOL + "," + controllerListener + ":SASL_PLAINTEXT"),
				Map.entry("sasl.enabled.mechanisms", KafkaUser.MECHANISM),
				Map.entry(clients + "sasl.enabled.mechanisms", KafkaUser.MECHANISM),
				// inter-broker traffic is the broker's own login on the clients' listener: a single
				// node has no other broker, and a second listener would only be one more door
				Map.entry("sasl.mechanism.inter.broker.protocol", KafkaUser.MECHANISM),
				Map.entry(clients + "scram-sha-512.sasl.jaas.config", broker.jaasConfig()),
				Map.entry("sasl.mechanism.controller.protocol", "PLAIN"),
				Map.entry(controller + "sasl.enabled.mechanisms", "PLAIN"),
				// the controller's server side knows exactly one PLAIN user, the broker
				Map.entry(controller + "plain.sasl.jaas.config",
						"org.apache.kafka.common.security.plain.PlainLoginModule required username=\"" + broker.user()
								+ "\" password=\"" + broker.password() + "\" user_" + broker.user() + "=\""
								+ broker.password() + "\";"),
				Map.entry("authorizer.class.name", AUTHORIZER),
				Map.entry("super.users", "User:" + broker.user()),
				Map.entry("allow.everyone.if.no.acl.found", "false"));
	}

	/** Creates the ACLs as the super user; ACLs that exist already are left as they are. */
	static void applyAcls(Map<String, Object> adminProperties, List<AclBinding> acls) {
		if (acls.isEmpty()) {
			return;
		}
		try (Admin admin = Admin.create(adminProperties)) {
			admin.createAcls(acls).all().get(30, TimeUnit.SECONDS);
			// the controller committed them; the broker's authorizer, which describeAcls asks, has
			// them once it replayed that metadata: clients started next must not be refused meanwhile
			long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
			while (admin.describeAcls(AclBindingFilter.ANY).values().get(30, TimeUnit.SECONDS).size() < acls.size()) {
				if (System.nanoTime() > deadline) {
					throw new EmbeddedServerException("Kafka's authorizer did not see the " + acls.size() + " ACLs in 30 s");
				}
				LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
			}
		}
		catch (ExecutionException | TimeoutException ex) {
			throw new EmbeddedServerException("Cannot create " + acls.size() + " Kafka ACLs", ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new EmbeddedServerException("Interrupted while creating Kafka ACLs", ex);
		}
		log.info("Kafka ACLs in place: {}", acls.size());
	}
}
