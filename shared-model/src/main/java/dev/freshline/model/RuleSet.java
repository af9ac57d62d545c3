package dev.freshline.model;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * The invalidation rules, read from YAML ({@code freshline-rules.yml} on the classpath unless a
 * service is pointed at another file). Declares every namespace and tag with the type of its
 * id, and per captured table the keys and tags a change of it affects. The invalidator, the
 * API and the connector all load the same file, so adding a table or a key is configuration
 * only. Everything is checked on load: a rule that could not be evaluated is refused at start,
 * never discovered on the first change.
 */
public record RuleSet(Map<Namespace, IdType> namespaces, Map<String, IdType> tagTypes, Map<String, TableRule> tables) {

	public static final String DEFAULT_LOCATION = "classpath:freshline-rules.yml";

	private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

	private static final Pattern KEY = Pattern.compile("([a-z][a-z0-9_-]{0,62}):\\{([a-z_][a-z0-9_]{0,62})\\}");

	private static final Pattern TAG = Pattern.compile("([a-z][a-z0-9_-]{0,62})(?::\\{([a-z_][a-z0-9_]{0,62})\\})?");

	private static final YAMLMapper YAML = YAMLMapper.builder()
		.enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
		.enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
		.build();

	public RuleSet {
		namespaces = Map.copyOf(namespaces);
		tagTypes = Map.copyOf(tagTypes);
		tables = Map.copyOf(tables);
	}

	/** Loads {@code classpath:<resource>} or a file path (optionally prefixed {@code file:}). */
	public static RuleSet load(String location) {
		try (InputStream in = open(location)) {
			return parse(in, location);
		}
		catch (IOException ex) {
			throw new RulesException("cannot read rules from " + location + ": " + ex.getMessage(), ex);
		}
	}

	public static RuleSet loadDefault() {
		return load(DEFAULT_LOCATION);
	}

	static RuleSet parse(InputStream in, String source) {
		Document document;
		try {
			document = YAML.readValue(in, Document.class);
		}
		catch (JacksonException ex) {
			throw new RulesException(source + " is not a valid rules file: " + ex.getOriginalMessage(), ex);
		}
		if (document == null || document.namespaces() == null || document.tables() == null) {
			throw new RulesException(source + " must declare 'namespaces' and 'tables'");
		}
		return new Builder(source).build(document);
	}

	public Optional<TableRule> table(String name) {
		return Optional.ofNullable(this.tables.get(name));
	}

	public IdType idType(Namespace namespace) {
		IdType type = this.namespaces.get(namespace);
		if (type == null) {
			throw new RulesException("namespace '" + namespace + "' is not declared in the rules");
		}
		return type;
	}

	/** The namespaces a change of {@code table} can touch: what a TRUNCATE or an unreadable change flushes. */
	public Set<Namespace> namespacesOf(String table) {
		Set<Namespace> affected = new LinkedHashSet<>();
		table(table).ifPresent((rule) -> {
			rule.keys().forEach((key) -> affected.add(key.namespace()));
			rule.tags().forEach((tag) -> affected.addAll(namespacesTagged(tag.name())));
		});
		return affected;
	}

	/** The namespaces whose entries may carry a tag of this name. */
	public Set<Namespace> namespacesTagged(String tagName) {
		Set<Namespace> tagged = new LinkedHashSet<>();
		for (TableRule rule : this.tables.values()) {
			for (KeyTemplate key : rule.keys()) {
				if (key.tags().stream().anyMatch((tag) -> tag.name().equals(tagName))) {
					tagged.add(key.namespace());
				}
			}
		}
		return tagged;
	}

	/** The tags an entry of {@code namespace} carries, from every key template of that namespace. */
	public List<TagTemplate> tagsOf(Namespace namespace) {
		Set<TagTemplate> tags = new LinkedHashSet<>();
		for (TableRule rule : this.tables.values()) {
			rule.keys().stream().filter((key) -> key.namespace().equals(namespace)).forEach((key) -> tags.addAll(key.tags()));
		}
		return List.copyOf(tags);
	}

	private static InputStream open(String location) throws IOException {
		if (location.startsWith("classpath:")) {
			String resource = location.substring("classpath:".length()).replaceFirst("^/", "");
			InputStream in = RuleSet.class.getClassLoader().getResourceAsStream(resource);
			if (in == null) {
				throw new IOException("no such classpath resource");
			}
			return in;
		}
		return Files.newInputStream(Path.of(location.startsWith("file:") ? location.substring("file:".length()) : location));
	}

	/** The file as written; turned into the checked model by {@link Builder}. */
	record Document(@Nullable Map<String, String> namespaces, @Nullable Map<String, String> tags,
			@Nullable Map<String, TableDocument> tables) {
	}

	record TableDocument(@Nullable List<KeyDocument> keys, @Nullable List<String> tags) {
	}

	record KeyDocument(@Nullable String key, @Nullable String floor, @Nullable List<String> tags) {
	}

	private static final class Builder {

		private final String source;

		private final Map<Namespace, IdType> namespaces = new LinkedHashMap<>();

		private final Map<String, IdType> tagTypes = new LinkedHashMap<>();

		Builder(String source) {
			this.source = source;
		}

		RuleSet build(Document document) {
			document.namespaces().forEach((name, type) -> {
				Namespace namespace = check(() -> new Namespace(name), "namespace '" + name + "'");
				if (namespace.id().equals(Namespace.TAGS)) {
					throw fail("namespace '" + Namespace.TAGS + "' is reserved for tag indexes");
				}
				if (namespace.id().equals(Namespace.WATERMARKS)) {
					throw fail("namespace '" + Namespace.WATERMARKS + "' is reserved for applied watermarks");
				}
				this.namespaces.put(namespace, check(() -> IdType.parse(type), "namespace '" + name + "'"));
			});
			if (document.tags() != null) {
				document.tags().forEach((name, type) -> {
					requireMatch(TAG, name, "tag name '" + name + "'");
					this.tagTypes.put(name, check(() -> IdType.parse(type), "tag '" + name + "'"));
				});
			}
			Map<String, TableRule> tables = new LinkedHashMap<>();
			document.tables().forEach((table, rule) -> {
				requireMatch(IDENTIFIER, table, "table name '" + table + "'");
				tables.put(table, table(table, rule));
			});
			return new RuleSet(this.namespaces, this.tagTypes, tables);
		}

		private TableRule table(String table, @Nullable TableDocument document) {
			String where = "table " + table;
			if (document == null || document.keys() == null && document.tags() == null) {
				throw fail(where + ": declares neither keys nor tags");
			}
			List<KeyTemplate> keys = new ArrayList<>();
			for (KeyDocument key : (document.keys() != null) ? document.keys() : List.<KeyDocument>of()) {
				keys.add(key(where, key));
			}
			List<TagTemplate> tags = new ArrayList<>();
			for (String tag : (document.tags() != null) ? document.tags() : List.<String>of()) {
				tags.add(tag(where, tag, null));
			}
			return new TableRule(table, keys, tags);
		}

		private KeyTemplate key(String where, KeyDocument document) {
			if (document.key() == null) {
				throw fail(where + ": every entry under 'keys' needs 'key: <namespace>:{<column>}'");
			}
			Matcher matcher = requireMatch(KEY, document.key(), where + ": key '" + document.key() + "'");
			Namespace namespace = new Namespace(matcher.group(1));
			String column = matcher.group(2);
			String at = where + ", key " + document.key();
			if (!this.namespaces.containsKey(namespace)) {
				throw fail(at + ": namespace '" + namespace + "' is not declared under 'namespaces'");
			}
			if (document.floor() != null) {
				requireMatch(IDENTIFIER, document.floor(), at + ": floor column '" + document.floor() + "'");
			}
			List<TagTemplate> tags = new ArrayList<>();
			for (String tag : (document.tags() != null) ? document.tags() : List.<String>of()) {
				TagTemplate template = tag(at, tag, column);
				IdType tagType = this.tagTypes.get(template.name());
				if (template.column() != null && !this.namespaces.get(namespace).equals(tagType)) {
					throw fail(at + ": tag '" + tag + "' is declared " + tagType + " but the key's id is "
							+ this.namespaces.get(namespace));
				}
				tags.add(template);
			}
			return new KeyTemplate(namespace, column, document.floor(), tags);
		}

		/** A key's tags may use only the key's own column: a reader must know them before it loads. */
		private TagTemplate tag(String where, String tag, @Nullable String keyColumn) {
			Matcher matcher = requireMatch(TAG, tag, where + ": tag '" + tag + "'");
			String name = matcher.group(1);
			String column = matcher.group(2);
			if (!this.tagTypes.containsKey(name)) {
				throw fail(where + ": tag '" + name + "' is not declared under 'tags'");
			}
			if (keyColumn != null && column != null && !column.equals(keyColumn)) {
				throw fail(where + ": tag '" + tag + "' may use only the key's column {" + keyColumn + "}");
			}
			return new TagTemplate(name, column);
		}

		private Matcher requireMatch(Pattern pattern, String value, String what) {
			Matcher matcher = pattern.matcher(value);
			if (!matcher.matches()) {
				throw fail(what + " must match " + pattern.pattern());
			}
			return matcher;
		}

		private <T> T check(java.util.function.Supplier<T> parse, String what) {
			try {
				return parse.get();
			}
			catch (IllegalArgumentException ex) {
				throw fail(what + ": " + ex.getMessage());
			}
		}

		private RulesException fail(String message) {
			return new RulesException(this.source + ": " + message);
		}
	}
}
