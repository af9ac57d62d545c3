package dev.freshline.pipeline;

import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * A fresh {@link PipelineStack} for each test, closed after it, handed to the test method as a
 * parameter: {@code @ExtendWith(PipelineStackExtension.class)} and a {@code PipelineStack stack}
 * argument replace the start and stop methods each such test class used to repeat. A class that
 * needs other settings names them with {@link StackProperties}.
 */
final class PipelineStackExtension implements BeforeEachCallback, AfterEachCallback, ParameterResolver {

	private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace
		.create(PipelineStackExtension.class);

	@Override
	public void beforeEach(ExtensionContext context) throws Exception {
		Map<String, Object> overrides = AnnotationSupport
			.findAnnotation(context.getRequiredTestClass(), StackProperties.class)
			.map(PipelineStackExtension::overrides)
			.orElse(Map.of());
		context.getStore(NAMESPACE).put(PipelineStack.class, PipelineStack.start(overrides, null));
	}

	@Override
	public void afterEach(ExtensionContext context) throws Exception {
		PipelineStack stack = context.getStore(NAMESPACE).remove(PipelineStack.class, PipelineStack.class);
		if (stack != null) {
			stack.close();
		}
	}

	private static Map<String, Object> overrides(StackProperties properties) {
		Map<String, Object> overrides = new LinkedHashMap<>();
		for (String property : properties.value()) {
			int equals = property.indexOf('=');
			if (equals < 1) {
				throw new IllegalArgumentException("@StackProperties wants name=value but got '" + property + "'");
			}
			overrides.put(property.substring(0, equals), property.substring(equals + 1));
		}
		return overrides;
	}

	@Override
	public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
		return parameter.getParameter().getType() == PipelineStack.class;
	}

	@Override
	public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
		return context.getStore(NAMESPACE).get(PipelineStack.class, PipelineStack.class);
	}
}
