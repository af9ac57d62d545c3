package dev.freshline.api.cache;

import java.util.Collection;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import org.springframework.cache.Cache;
import org.springframework.cache.CacheManager;
import org.springframework.stereotype.Component;

import dev.freshline.api.ApiProperties;
import dev.freshline.api.freshness.PipelineFence;
import dev.freshline.model.InvalidationRules;
import dev.freshline.model.Namespace;

/** Spring's cache abstraction over the fill protocol: one {@link FreshlineCache} per namespace. */
@Component
class FreshlineCacheManager implements CacheManager {

	private final Map<String, Cache> caches;

	FreshlineCacheManager(CacheReader cache, CacheInvalidation invalidation, InvalidationRules rules,
			PipelineFence fence, ReadMetrics metrics, ApiProperties properties) {
		ApiProperties.Cache settings = properties.cache();
		FreshlineCache.Reads reads = new FreshlineCache.Reads(cache, fence, metrics, invalidation, rules);
		this.caches = Map.of(Namespace.PATIENT.id(), new FreshlineCache(Namespace.PATIENT, settings.patient(), reads),
				Namespace.WARD.id(), new FreshlineCache(Namespace.WARD, settings.ward(), reads),
				Namespace.FORMULARY.id(), new FreshlineCache(Namespace.FORMULARY, settings.formulary(), reads));
	}

	@Override
	public @Nullable Cache getCache(String name) {
		return this.caches.get(name);
	}

	@Override
	public Collection<String> getCacheNames() {
		return List.copyOf(this.caches.keySet());
	}
}
