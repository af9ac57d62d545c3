package dev.freshline.invalidator.invalidation;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.listener.MessageListenerContainer;
import org.springframework.stereotype.Component;

/**
 * An {@code Error} thrown in a listener stops its container while the application still looks
 * healthy, and then nothing is invalidated. The invalidator is UP only while every listener
 * container runs.
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
			boolean running = container.isRunning() && !container.isContainerPaused();
			health.withDetail(id, running ? "running" : "stopped");
			if (!running) {
				health.down();
			}
		}
		return health.build();
	}
}
