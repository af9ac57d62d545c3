package dev.freshline.api.cache;

import java.util.Optional;
import java.util.concurrent.Callable;

import org.jspecify.annotations.Nullable;

import org.springframework.cache.Cache;
import org.springframework.cache.support.SimpleValueWrapper;

import dev.freshline.api.ApiProperties;
import dev.freshline.model.IdType;
import dev.freshline.model.Invalidation;
import dev.freshline.model.InvalidationRules;
import dev.freshline.model.Namespace;

/**
 * One namespace of the fill protocol behind Spring's {@link Cache}, so that
 * {@code @Cacheable(sync = true)} methods get lease-guarded, floor-checked fills. Cache keys are
 * ids, turned into Redis keys by the invalidation rules (the same canonical form the invalidator
 * deletes); values are {@link Loaded} (the JSON and the row version). Only the
 * guarded path exists: {@code put} would be the unguarded write the protocol forbids, and
 * {@code @Cacheable} without {@code sync = true} would use it.
 */
final class FreshlineCache implements Cache {

	private final Namespace namespace;

	private final ApiProperties.Expiry expiry;

	private final CacheReader cache;

	private final CacheInvalidation invalidation;

	private final InvalidationRules rules;

	private final IdType idType;

	FreshlineCache(Namespace namespace, ApiProperties.Expiry expiry, CacheReader cache,
			CacheInvalidation invalidation, InvalidationRules rules) {
		this.namespace = namespace;
		this.expiry = expiry;
		this.cache = cache;
		this.invalidation = invalidation;
		this.rules = rules;
		// fails at start if the rules do not declare a namespace the API serves
		this.idType = rules.ruleSet().idType(namespace);
	}

	@Override
	public String getName() {
		return this.namespace.id();
	}

	@Override
	public Object getNativeCache() {
		return this.cache;
	}

	@Override
	@SuppressWarnings("unchecked")
	public <T> @Nullable T get(Object key, Callable<T> valueLoader) {
		Optional<byte[]> body = this.cache.read(redisKey(key), this.rules.tagIndexesOf(this.namespace, canonical(key)),
				this.expiry, () -> Optional.ofNullable(load(valueLoader)));
		return (T) body.map((json) -> new Loaded(json, Loaded.UNKNOWN_VERSION)).orElse(null);
	}

	@Override
	public @Nullable ValueWrapper get(Object key) {
		return this.cache.peek(redisKey(key)).map((json) -> new SimpleValueWrapper(new Loaded(json, Loaded.UNKNOWN_VERSION)))
			.orElse(null);
	}

	@Override
	@SuppressWarnings("unchecked")
	public <T> @Nullable T get(Object key, @Nullable Class<T> type) {
		ValueWrapper wrapper = get(key);
		return (wrapper == null) ? null : (T) wrapper.get();
	}

	@Override
	public void put(Object key, @Nullable Object value) {
		throw new UnsupportedOperationException("Freshline fills only through leases: use @Cacheable(sync = true)");
	}

	@Override
	public void evict(Object key) {
		this.invalidation.afterCommit(new Invalidation(redisKey(key), Invalidation.NO_FLOOR));
	}

	@Override
	public void clear() {
		throw new UnsupportedOperationException("clearing a whole namespace is a flush (SCAN + UNLINK), not a cache call");
	}

	/** Through {@link InvalidationRules#keyFor}, the method the key agreement property checks. */
	private String redisKey(Object key) {
		return this.rules.keyFor(this.namespace, String.valueOf(key));
	}

	private String canonical(Object key) {
		return this.idType.canonical(String.valueOf(key));
	}

	private static @Nullable Loaded load(Callable<?> valueLoader) {
		try {
			return (Loaded) valueLoader.call();
		}
		catch (RuntimeException ex) {
			throw ex;
		}
		catch (Exception ex) {
			throw new ValueRetrievalException(null, valueLoader, ex);
		}
	}
}
