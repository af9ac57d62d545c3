package dev.freshline.pipeline;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Extra properties, as {@code name=value}, for every service of the stack that
 * {@link PipelineStackExtension} starts for the annotated test class: a test that needs the
 * connector or the services configured differently says so here instead of starting its own stack.
 */
@Documented
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@interface StackProperties {

	String[] value();
}
