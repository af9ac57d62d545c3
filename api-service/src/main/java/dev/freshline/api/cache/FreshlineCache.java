package dev.freshline.api.cache;

import java.util.Optional;
import java.util.concurrent.Callable;

import org.jspecify.annotations.Nullable;

import org.springframework.cache.Cache;
import org.springframework.cache.support.SimpleValueWrapper;

import dev.freshline.api.ApiProperties;
import dev.freshline.api.freshness.BypassReason;
import dev.freshline.api.freshness.PipelineFence;
import dev.freshline.api.freshness.ReadAfter;
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
 * {@code @Cacheable} without {@code sync = true} would use it. Every read asks the freshness
 * fence first: while it refuses, the read goes to Postgres and Redis is neither read nor filled.
 */
final class FreshlineCache implements Cache {

	/** What every namespace's cache shares. */
	record Reads(CacheReader cache, PipelineFence fence, ReadMetrics metrics, CacheInvalidation invalidation,
			InvalidationRules rules) {
	}

	private final Namespace namespace;

	private final ApiProperties.Expiry expiry;

	private final CacheReader cache;

	private final PipelineFence fence;

	private final ReadMetrics metrics;

	private final CacheInvalidation invalidation;

	private final InvalidationRules rules;

	private final IdType idType;

	private final ReadMetrics.Requests requests;

	FreshlineCache(Namespace namespace, ApiProperties.Expiry expiry, Reads reads) {
		this.namespace = namespace;
		this.expiry = expiry;
		this.cache = reads.cache();
		this.fence = reads.fence();
		this.metrics = reads.metrics();
		this.invalidation = reads.invalidation();
		this.rules = reads.rules();
		// fails at start if the rules do not declare a namespace the API serves
		this.idType = rules.ruleSet().idType(namespace);
		this.requests = this.metrics.requests(namespace);
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
		Optional<BypassReason> bypass = this.fence.admit(this.namespace, ReadAfter.current());
		if (bypass.isPresent()) {
			// neither read nor filled: what Redis holds may be older than the fence allows
			this.metrics.bypassed(bypass.get());
			this.requests.served(CacheOutcome.BYPASS);
			this.metrics.loaded(ReadMetrics.LoadCause.FENCE);
			return (T) load(valueLoader);
		}
		CacheRead read = this.cache.read(redisKey(key), this.rules.tagIndexesOf(this.namespace, canonical(key)),
				this.expiry, () -> Optional.ofNullable(load(valueLoader)));
		this.requests.served(read.outcome());
		return (T) read.body().map((json) -> new Loaded(json, Loaded.UNKNOWN_VERSION)).orElse(null);
	}

	@Override
	public @Nullable ValueWrapper get(Object key) {
		if (this.fence.admit(this.namespace, ReadAfter.current()).isPresent()) {
			return null;
		}
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
