package dev.freshline.invalidator.invalidation;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.listener.MessageListenerContainer;
import org.springframework.stereotype.Component;

/**
 * A listener container whose consumers stopped leaves the application looking healthy while
 * their partitions are no longer invalidated. The invalidator is UP only while every listener
 * container runs with all of its consumers: a container's own running flag is not enough, since
 * a consumer (one per unit of concurrency) that ends on its own leaves its parent running, so
 * {@code isInExpectedState()} (false once any consumer stopped abnormally) is checked too.
 */
@Component
class ListenerHealth implements HealthIndicator {

	private final KafkaListenerEndpointRegistry listeners;

	ListenerHealth(KafkaListenerEndpointRegistry listeners) {
		this.listeners = listeners;
	}

	@Override
	public Health health() {
		Health.Builder health = Health.up();
		for (MessageListenerContainer container : this.listeners.getListenerContainers()) {
			String id = String.valueOf(container.getListenerId());
			String state = stateOf(container);
			health.withDetail(id, state);
			if (!state.equals("running")) {
				health.down();
			}
		}
		return health.build();
	}

	private static String stateOf(MessageListenerContainer container) {
		if (!container.isRunning()) {
			return "stopped";
		}
		if (!container.isInExpectedState()) {
			return "a consumer stopped abnormally";
		}
		if (container.isContainerPaused()) {
			return "paused";
		}
		return "running";
	}
}
