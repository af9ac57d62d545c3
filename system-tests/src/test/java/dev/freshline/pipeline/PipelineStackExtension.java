package dev.freshline.pipeline;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * A fresh {@link PipelineStack} for each test, closed after it, handed to the test method as a
 * parameter: {@code @ExtendWith(PipelineStackExtension.class)} and a {@code PipelineStack stack}
 * argument replace the start and stop methods each such test class used to repeat.
 */
final class PipelineStackExtension implements BeforeEachCallback, AfterEachCallback, ParameterResolver {

	private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace
		.create(PipelineStackExtension.class);

	@Override
	public void beforeEach(ExtensionContext context) throws Exception {
		context.getStore(NAMESPACE).put(PipelineStack.class, PipelineStack.start());
	}

	@Override
	public void afterEach(ExtensionContext context) throws Exception {
		PipelineStack stack = context.getStore(NAMESPACE).remove(PipelineStack.class, PipelineStack.class);
		if (stack != null) {
			stack.close();
		}
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
