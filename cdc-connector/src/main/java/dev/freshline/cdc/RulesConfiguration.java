package dev.freshline.cdc;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.freshline.model.RuleSet;

/** The invalidation rules, loaded and checked at start: the connector captures exactly their tables. */
@Configuration(proxyBeanMethods = false)
class RulesConfiguration {

	@Bean
	RuleSet ruleSet(ConnectorProperties properties) {
		return RuleSet.load(properties.rules());
	}
}
