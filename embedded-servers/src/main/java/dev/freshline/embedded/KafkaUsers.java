package dev.freshline.embedded;

import java.util.List;
import java.util.stream.Stream;

import org.apache.kafka.common.acl.AclBinding;

/**
 * What a secured {@link KafkaServer} starts with: the broker's own principal (the only super user),
 * the clients' SCRAM users, and the ACLs that say what each client may do. Everything else is denied
 * ({@code allow.everyone.if.no.acl.found=false}).
 */
public record KafkaUsers(KafkaUser broker, List<KafkaUser> clients, List<AclBinding> acls) {

	public KafkaUsers {
		clients = List.copyOf(clients);
		acls = List.copyOf(acls);
	}

	/** Every user, the broker first: their credentials are created when the storage is formatted. */
	List<KafkaUser> all() {
		return Stream.concat(Stream.of(this.broker), this.clients.stream()).toList();
	}
}
