package dev.freshline.ops.flush;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.jspecify.annotations.Nullable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import org.springframework.data.redis.core.StringRedisTemplate;

import dev.freshline.model.CacheKeys;
import dev.freshline.model.IdType;
import dev.freshline.model.Namespace;
import dev.freshline.model.RuleSet;
import dev.freshline.ops.Clients;
import dev.freshline.ops.ConnectionOptions;
import dev.freshline.ops.NamespaceFlush;
import dev.freshline.ops.OpsException;

/**
 * Flushes one namespace or invalidates one tag. Both are checked against the rules first, so a
 * typo is refused instead of flushing nothing and reporting success.
 */
@Command(name = "flush", mixinStandardHelpOptions = true,
		description = { "Remove every value, lease and floor of a namespace (SCAN + UNLINK in batches), "
				+ "or invalidate every entry carrying a tag." })
public final class FlushCommand implements Callable<Integer> {

	private static final Pattern TAG = Pattern.compile("([a-z][a-z0-9_-]{0,62})(?::(.+))?");

	@Mixin
	ConnectionOptions connection;

	@ArgGroup(exclusive = true, multiplicity = "1")
	Target target;

	static final class Target {

		@Option(names = "--namespace", required = true, description = "A namespace of the rules, e.g. patient")
		@Nullable String namespace;

		@Option(names = "--tag", required = true, description = "A tag of the rules with its value, e.g. hospital:7")
		@Nullable String tag;
	}

	@Option(names = "--dry-run", description = "Count what would be removed; change nothing")
	boolean dryRun;

	@Mixin
	NamespaceFlush.Options flushOptions;

	@Override
	public Integer call() {
		PrintWriter out = this.connection.out();
		RuleSet rules = this.connection.endpoints().rules();
		CacheKeys keys = this.connection.endpoints().keys();
		Namespace namespace = (this.target.namespace != null) ? this.connection.endpoints().namespace(this.target.namespace)
				: null;
		String tag = (this.target.tag != null) ? tag(rules, this.target.tag) : null;
		try (Clients clients = this.connection.connect()) {
			clients.ping();
			if (namespace != null) {
				return flush(clients, keys, namespace, out);
			}
			return invalidateTag(clients, keys, tag, out);
		}
	}

	private int flush(Clients clients, CacheKeys keys, Namespace namespace, PrintWriter out) {
		NamespaceFlush flush = this.flushOptions.flush(this.connection, clients);
		if (this.dryRun) {
			out.println("Dry run: would remove " + NamespaceFlush.number(flush.count(namespace)) + " keys matching "
					+ flush.pattern(namespace) + " (values, leases and floors). Nothing was changed.");
			return 0;
		}
		flush.flush(namespace);
		return 0;
	}

	private int invalidateTag(Clients clients, CacheKeys keys, String tag, PrintWriter out) {
		String index = keys.tagIndex(tag);
		if (this.dryRun) {
			Long members = new StringRedisTemplate(clients.redis()).opsForSet().size(index);
			out.println("Dry run: tag " + tag + " has " + NamespaceFlush.number((members != null) ? members : 0)
					+ " registered entries (" + index + "). Nothing was changed.");
			return 0;
		}
		long invalidated = clients.cache().invalidateTag(tag);
		out.println("Invalidated " + NamespaceFlush.number(invalidated) + " entries tagged " + tag);
		return 0;
	}

	/** {@code name:value} with the value in its canonical form, so the index is the one readers register in. */
	private static String tag(RuleSet rules, String text) {
		Matcher matcher = TAG.matcher(text.strip());
		String declared = rules.tagTypes().keySet().stream().sorted().collect(Collectors.joining(", "));
		if (!matcher.matches() || !rules.tagTypes().containsKey(matcher.group(1))) {
			throw new OpsException("unknown tag '" + text + "': the rules declare " + (declared.isEmpty() ? "none" : declared)
					+ " (write name:value, e.g. hospital:7)");
		}
		String name = matcher.group(1);
		if (matcher.group(2) == null) {
			return name;
		}
		IdType type = rules.tagTypes().get(name);
		try {
			return name + ":" + type.canonical(matcher.group(2));
		}
		catch (RuntimeException ex) {
			throw new OpsException("malformed tag value in '" + text + "': " + ex.getMessage());
		}
	}
}
