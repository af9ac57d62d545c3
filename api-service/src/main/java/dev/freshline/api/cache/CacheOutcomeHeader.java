package dev.freshline.api.cache;

import org.jspecify.annotations.Nullable;

import org.springframework.core.MethodParameter;
import org.springframework.http.MediaType;
import org.springframework.http.converter.HttpMessageConverter;
import org.springframework.http.server.ServerHttpRequest;
import org.springframework.http.server.ServerHttpResponse;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.RequestAttributes;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.servlet.mvc.method.annotation.ResponseBodyAdvice;

/**
 * Adds {@code Freshline-Cache} to every response whose request read through the cache, just
 * before its body is written (headers cannot change once it is), problem responses included.
 */
@RestControllerAdvice
class CacheOutcomeHeader implements ResponseBodyAdvice<Object> {

	@Override
	public boolean supports(MethodParameter returnType, Class<? extends HttpMessageConverter<?>> converterType) {
		return true;
	}

	@Override
	public @Nullable Object beforeBodyWrite(@Nullable Object body, MethodParameter returnType, MediaType contentType,
			Class<? extends HttpMessageConverter<?>> converterType, ServerHttpRequest request,
			ServerHttpResponse response) {
		RequestAttributes attributes = RequestContextHolder.getRequestAttributes();
		CacheOutcome outcome = (attributes != null) ? CacheOutcome.of(attributes) : null;
		if (outcome != null) {
			response.getHeaders().set(CacheOutcome.HEADER, outcome.value());
		}
		return body;
	}
}
