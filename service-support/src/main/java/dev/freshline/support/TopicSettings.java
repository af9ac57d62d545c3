package dev.freshline.support;

import jakarta.validation.constraints.Min;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How the change topics are created ({@code freshline.cdc.topics}, {@code freshline.invalidator.topics}):
 * one record for both services, bound from the same environment variables, so they cannot
 * declare one topic two ways. {@code minInsyncReplicas} is the topics' {@code min.insync.replicas};
 * unset, the broker's default applies (1 unless the broker says otherwise), which is what a
 * single broker needs. With more than one replica it must be set (docs/kafka.md: 3 and 2): with
 * 1, {@code acks=all} is acknowledged by the leader alone once the others fall behind, and a
 * change then lives on one disk until they catch up.
 */
public record TopicSettings(@DefaultValue("3") @Min(1) int partitions, @DefaultValue("1") @Min(1) short replicationFactor,
		@Nullable @Min(1) Integer minInsyncReplicas) {

	public TopicSettings {
		if (minInsyncReplicas != null && minInsyncReplicas > replicationFactor) {
			// Kafka would create such a topic and then refuse every acks=all write to it
			throw new IllegalArgumentException("min-insync-replicas " + minInsyncReplicas
					+ " exceeds the replication factor " + replicationFactor + ": no write could ever be acknowledged");
		}
	}
}
