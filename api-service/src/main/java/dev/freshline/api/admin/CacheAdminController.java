package dev.freshline.api.admin;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import dev.freshline.api.web.NotFoundException;
import dev.freshline.cache.CacheCommands;
import dev.freshline.model.IdType;
import dev.freshline.model.InvalidIdException;
import dev.freshline.model.InvalidationRules;
import dev.freshline.model.Namespace;
import dev.freshline.model.RuleSet;

/**
 * Cache repair by hand: flush a namespace (values, leases and floors, SCAN + UNLINK in batches,
 * progress in the log) or invalidate every entry carrying a tag. Only namespaces and tags the
 * rules declare are accepted, and a tag's value is canonicalised by its declared type, so no
 * input ever reaches a Redis pattern.
 */
@RestController
@RequestMapping("/admin/cache")
class CacheAdminController {

	private static final Logger log = LoggerFactory.getLogger(CacheAdminController.class);

	private final CacheCommands commands;

	private final RuleSet rules;

	CacheAdminController(CacheCommands commands, InvalidationRules rules) {
		this.commands = commands;
		this.rules = rules.ruleSet();
	}

	@PostMapping("/namespaces/{namespace}/flush")
	Flushed flush(@PathVariable String namespace) {
		Namespace declared = this.rules.namespaces()
			.keySet()
			.stream()
			.filter((candidate) -> candidate.id().equals(namespace))
			.findFirst()
			.orElseThrow(() -> new NotFoundException("no namespace of that name is declared in the rules"));
		long started = System.nanoTime();
		log.warn("Flushing namespace {} on request", declared);
		long removed = this.commands.flush(declared,
				(soFar) -> log.info("Flushing namespace {}: {} keys removed so far", declared, soFar));
		long millis = (System.nanoTime() - started) / 1_000_000;
		log.warn("Flushed namespace {} ({} keys removed in {} ms)", declared, removed, millis);
		return new Flushed(declared.id(), removed, millis);
	}

	@PostMapping("/tags/{tag}/invalidations")
	TagInvalidated invalidateTag(@PathVariable String tag) {
		int separator = tag.indexOf(':');
		String name = (separator < 0) ? tag : tag.substring(0, separator);
		IdType type = this.rules.tagTypes().get(name);
		if (type == null) {
			throw new NotFoundException("no tag of that name is declared in the rules");
		}
		if (separator < 0) {
			throw new InvalidIdException("a tag is <name>:<value>, such as hospital:7");
		}
		String canonical = name + ":" + type.canonical(tag.substring(separator + 1));
		long invalidated = this.commands.invalidateTag(canonical);
		log.info("Invalidated tag {} on request ({} entries)", canonical, invalidated);
		return new TagInvalidated(canonical, invalidated);
	}

	record Flushed(String namespace, long keysRemoved, long millis) {
	}

	record TagInvalidated(String tag, long entriesInvalidated) {
	}
}
