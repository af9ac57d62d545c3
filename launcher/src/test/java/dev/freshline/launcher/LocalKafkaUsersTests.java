package dev.freshline.launcher;

import java.util.Map;

import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.Test;

import dev.freshline.embedded.KafkaUsers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LocalKafkaUsersTests {

	@Test
	void shouldHandTheBrokerTheSamePasswordsThroughItsEnvironment() {
		LocalKafkaUsers launcher = LocalKafkaUsers.random();

		LocalKafkaUsers broker = LocalKafkaUsers.fromEnvironment(launcher.brokerEnvironment());

		assertThat(broker.get(LocalKafkaUsers.INVALIDATOR)).isEqualTo(launcher.get(LocalKafkaUsers.INVALIDATOR));
		assertThat(broker.get(LocalKafkaUsers.BROKER)).isEqualTo(launcher.get(LocalKafkaUsers.BROKER));
		assertThat(launcher.clients()).containsOnlyKeys("connector", "invalidator", "ops", "harness");
	}

	@Test
	void shouldMakeNewPasswordsPerRunAndNeverShowThem() {
		LocalKafkaUsers first = LocalKafkaUsers.random();
		LocalKafkaUsers second = LocalKafkaUsers.random();

		assertThat(first.get(LocalKafkaUsers.OPS).password()).isNotEqualTo(second.get(LocalKafkaUsers.OPS).password());
		assertThat(first.get(LocalKafkaUsers.OPS).toString()).doesNotContain(first.get(LocalKafkaUsers.OPS).password());
	}

	@Test
	void shouldRefuseToStartABrokerWithoutItsPasswords() {
		assertThatThrownBy(() -> LocalKafkaUsers.fromEnvironment(Map.of())).isInstanceOf(IllegalStateException.class)
			.hasMessageContaining("no password for Kafka user broker");
	}

	@Test
	void shouldGrantTheTopicsAndGroupTheServicesWillUse() {
		KafkaUsers spec = LocalKafkaUsers.random()
			.brokerSpec(Map.of("FRESHLINE_TOPIC_PREFIX", "other", "INVALIDATOR_GROUP_ID", "other-group"));

		assertThat(spec.acls()).anyMatch((acl) -> is(acl, "freshline-connector", ResourceType.TOPIC,
				"other.public.patient", AclOperation.WRITE));
		assertThat(spec.acls()).anyMatch((acl) -> is(acl, "freshline-invalidator", ResourceType.GROUP, "other-group",
				AclOperation.READ));
		assertThat(spec.acls()).noneMatch((acl) -> is(acl, "freshline-invalidator", ResourceType.TOPIC,
				"other.public.patient", AclOperation.WRITE));
		assertThat(spec.acls()).noneMatch((acl) -> acl.pattern().name().startsWith("freshline."));
	}

	private static boolean is(AclBinding acl, String user, ResourceType type, String name, AclOperation operation) {
		return acl.entry().principal().equals("User:" + user) && acl.pattern().resourceType() == type
				&& acl.pattern().name().equals(name) && acl.entry().operation() == operation;
	}
}
