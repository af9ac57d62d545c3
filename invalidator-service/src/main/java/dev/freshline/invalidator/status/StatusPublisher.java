package dev.freshline.invalidator.status;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

import dev.freshline.cache.CacheCommands;
import dev.freshline.invalidator.InvalidatorProperties;
import dev.freshline.invalidator.PeriodicTask;
import dev.freshline.model.InvalidatorStatus;

/**
 * Publishes this instance's commit-to-delete percentiles and the consistency inspector's totals
 * to Redis every second ({@link InvalidatorStatus}), where every API instance's status page reads
 * them: the API reaches Redis already, and no service has to know another's address. Read from
 * the meters the figures come from, so the page and Prometheus show the same numbers.
 */
@Component
class StatusPublisher implements SmartLifecycle {

	private static final Logger log = LoggerFactory.getLogger(StatusPublisher.class);

	private static final Duration EVERY = Duration.ofSeconds(1);

	/** How long the status outlives its last write: an API shows no figures from a stopped invalidator. */
	private static final Duration TTL = Duration.ofSeconds(10);

	private final MeterRegistry meters;

	private final CacheCommands commands;

	private final String instance;

	private final long graceMillis;

	private final PeriodicTask publishing = new PeriodicTask("freshline-status", Duration.ZERO, EVERY, this::publish);

	StatusPublisher(MeterRegistry meters, CacheCommands commands, InvalidatorProperties properties) {
		this.meters = meters;
		this.commands = commands;
		// a static member's id when it has one, else this JVM (pid@host): unique among running instances
		this.instance = (properties.instanceId() != null) ? properties.instanceId()
				: ManagementFactory.getRuntimeMXBean().getName();
		this.graceMillis = properties.inspector().grace().toMillis();
	}

	/** This instance's figures now. */
	InvalidatorStatus status() {
		double p50 = Double.NaN;
		double p99 = Double.NaN;
		for (Timer lag : this.meters.find("freshline.invalidation.lag").timers()) {
			// the slowest table's, as the dashboard's headline would show the worst
			for (ValueAtPercentile percentile : lag.takeSnapshot().percentileValues()) {
				double seconds = percentile.value(TimeUnit.SECONDS);
				if (percentile.percentile() == 0.5) {
					p50 = Double.isNaN(p50) ? seconds : Math.max(p50, seconds);
				}
				else if (percentile.percentile() == 0.99) {
					p99 = Double.isNaN(p99) ? seconds : Math.max(p99, seconds);
				}
			}
		}
		return new InvalidatorStatus(System.currentTimeMillis(), p50, p99, total("freshline.inspector.checked"),
				total("freshline.inspector.inconsistent"), this.graceMillis);
	}

	private long total(String counter) {
		return (long) this.meters.find(counter).counters().stream().mapToDouble(Counter::count).sum();
	}

	private void publish() {
		try {
			this.commands.publishStatus(this.instance, status(), TTL);
		}
		catch (RuntimeException ex) {
			// the page shows the figures as missing; the invalidator's own work is unaffected
			log.debug("Could not publish the status: {}", ex.toString());
		}
	}

	@Override
	public void start() {
		this.publishing.start();
	}

	@Override
	public void stop() {
		this.publishing.stop();
	}

	@Override
	public boolean isRunning() {
		return this.publishing.isRunning();
	}
}
