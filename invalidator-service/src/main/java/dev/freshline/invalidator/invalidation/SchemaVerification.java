package dev.freshline.invalidator.invalidation;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.InitializingBean;
import org.springframework.stereotype.Component;

import dev.freshline.invalidator.InvalidatorProperties;
import dev.freshline.model.RuleSet;
import dev.freshline.model.SchemaCheckException;
import dev.freshline.support.PostgresSchemaCheck;

/**
 * Before any listener starts, checks that Postgres publishes every rule's table with a replica
 * identity that carries the columns the keys need; otherwise a moved row would evict only its
 * new place and nobody would notice. The schema may still be migrating when the invalidator
 * starts, so problems are logged and re-checked until {@code timeout}, then start is refused
 * with the list of fixes.
 */
@Component
class SchemaVerification implements InitializingBean {

	private static final Logger log = LoggerFactory.getLogger(SchemaVerification.class);

	private final InvalidatorProperties.SchemaCheck settings;

	private final PostgresSchemaCheck check;

	SchemaVerification(InvalidatorProperties properties, RuleSet rules) {
		this.settings = properties.schemaCheck();
		this.check = new PostgresSchemaCheck(rules);
	}

	@Override
	public void afterPropertiesSet() throws InterruptedException {
		if (!this.settings.enabled()) {
			log.warn("Schema check disabled: nothing verifies that Postgres delivers what the rules need");
			return;
		}
		long deadline = System.nanoTime() + this.settings.timeout().toNanos();
		long pause = 250;
		while (true) {
			try {
				verifyOnce();
				log.info("Schema check passed ({})", this.settings);
				return;
			}
			catch (SchemaCheckException ex) {
				if (System.nanoTime() > deadline) {
					throw ex;
				}
				log.warn("Schema check failed, checking again in {} ms: {}", pause, ex.getMessage());
				Thread.sleep(pause);
				pause = Math.min(pause * 2, 5_000);
			}
		}
	}

	private void verifyOnce() {
		this.check.verify(this.settings.jdbcUrl(), this.settings.user(), this.settings.password(),
				this.settings.publication());
	}
}
