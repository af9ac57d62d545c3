package dev.freshline.api.cache;

import org.springframework.cache.annotation.EnableCaching;
import org.springframework.context.annotation.Configuration;

/** Turns on {@code @Cacheable}, backed by {@link FreshlineCacheManager}. */
@Configuration(proxyBeanMethods = false)
@EnableCaching
class CachingConfiguration {
}
